//! The console phase (issue 15.10): after the push, each console page's server time (every
//! request the page makes, one after another, as its JavaScript asks them) p50 and p99 over `n`
//! loads, then the map's draw time in a real headless Chromium (the page's own `data-drawn-ms`:
//! from its first request to the last layer drawn).

use anyhow::{Context, Result, bail};
use std::time::{Duration, Instant};
use sync_protocol::values::IsoWeek;

use crate::wire::percentile;
use patrolsync_tests::browser::{self, Browser};
use patrolsync_tests::raw::RawDevice;

/// The requests of one page, as the console's page makes them for `week`.
fn pages(week: IsoWeek, first: &str, last: &str, patrol: &str) -> Vec<(&'static str, Vec<String>)> {
    let (monday, _) = week.bounds_ms();
    let chart: Vec<String> =
        (0..12).map(|i| format!("/v1/compliance?week={}", IsoWeek::of_ms(monday + 86_400_000 - (11 - i) * 7 * 86_400_000))).collect();
    let mut week_page = vec![format!("/v1/compliance?week={week}")];
    week_page.extend(chart);
    week_page.push("/v1/devices/unsynced".into());
    vec![
        ("本周 this week (county)", week_page),
        ("地图 map (county)", vec!["/v1/office".into(), format!("/v1/map?from={first}&to={last}"), format!("/v1/flags?week={week}")]),
        ("巡查台帐 ledger (county, one week)", vec![format!("/v1/ledger?from={first}&to={last}")]),
        ("巡查详情 patrol", vec![format!("/v1/patrols/{patrol}"), format!("/v1/ledger?from={first}&to={last}&officer=vo-t01-v01")]),
        ("对账 reconciliation (T01)", vec![format!("/v1/compliance?week={week}"), format!("/v1/reconciliation?township=T01&week={week}")]),
        ("案件/举报 cases and tips (county)", vec!["/v1/cases".into(), "/v1/office".into()]),
        ("预警核查 flags (county)", vec!["/v1/flags".into()]),
    ]
}

/// Times each page `n` times as the county auditor, then the map in Chromium (when installed).
pub async fn run(url: &str, password: &str, week: IsoWeek, n: usize, code: Option<&str>) -> Result<()> {
    let mut county = RawDevice::new(url, "ca-1")?;
    county.county = code.map(str::to_owned);
    county.login(password).await?;
    let (from, to) = week.bounds_ms();
    let (first, last) = (crate::reports::county_day(from), crate::reports::county_day(to - 1));
    let (_, ledger) = county.get_json(&format!("/v1/ledger?from={first}&to={last}&officer=vo-t01-v01")).await?;
    let patrol = ledger["rows"][0]["patrol"].as_str().context("a patrol of vo-t01-v01 that week")?.to_owned();
    let (_, all) = county.get_json(&format!("/v1/ledger?from={first}&to={last}")).await?;
    println!(
        "console: {week} holds {} patrols; each page loaded {n} times, its requests one after another",
        all["rows"].as_array().map_or(0, Vec::len)
    );
    for (name, requests) in pages(week, &first, &last, &patrol) {
        let mut times = Vec::with_capacity(n);
        let mut each = vec![Vec::with_capacity(n); requests.len()];
        for _ in 0..n {
            let started = Instant::now();
            for (i, path) in requests.iter().enumerate() {
                let asked = Instant::now();
                let (status, body) = county.get_text(path).await?;
                if !status.is_success() {
                    bail!("{name}: {path}: {status}: {body}");
                }
                each[i].push(asked.elapsed());
            }
            times.push(started.elapsed());
        }
        times.sort();
        // The request that weighs most in the page, by its median.
        let (slowest, median) = each
            .iter_mut()
            .zip(&requests)
            .map(|(t, path)| {
                t.sort();
                (path.split('?').next().unwrap_or(path), percentile(t, 0.5))
            })
            .fold(("", 0.0), |worst, r| if r.1 > worst.1 { r } else { worst });
        println!(
            "  {name}: p50 {:.1} ms, p99 {:.1} ms ({} requests; slowest {slowest}, p50 {median:.1} ms)",
            percentile(&times, 0.5),
            percentile(&times, 0.99),
            requests.len()
        );
    }
    if !browser::available() {
        println!("console: the map's draw time needs chromium and chromedriver (apt-get install chromium chromium-driver)");
        return Ok(());
    }
    map_draw(url, password, week, n.min(10)).await
}

/// The map of `week` drawn `n` times for the county and for one officer (tracks), in Chromium.
async fn map_draw(url: &str, password: &str, week: IsoWeek, n: usize) -> Result<()> {
    let b = Browser::start().await?;
    let outcome = async {
        b.client.goto(&format!("{url}/")).await?;
        b.sign_in("ca-1", password).await?;
        b.ready("week").await?;
        for (name, view) in [("county", String::new()), ("one officer's tracks", "&officer=vo-t01-v01".to_owned())] {
            let mut times = Vec::with_capacity(n);
            for i in 0..n {
                // A new view each time (the hash changes), so the page draws afresh.
                b.open(&format!("{url}/#/map?week={week}{view}&n={i}"), "map").await?;
                let node = b.wait("#week-map[data-drawn-ms]").await?;
                let ms: u64 = node.attr("data-drawn-ms").await?.unwrap_or_default().parse()?;
                times.push(Duration::from_millis(ms));
            }
            times.sort();
            println!("  map draw in Chromium, {name}: p50 {:.0} ms, p99 {:.0} ms", percentile(&times, 0.5), percentile(&times, 0.99));
        }
        Ok::<_, anyhow::Error>(())
    }
    .await;
    b.close().await?;
    outcome
}
