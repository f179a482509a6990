//! The reports phase: after the push, each report the county's levels read is asked `n` times over
//! HTTP, one request at a time, and its p50 and p99 printed (issue 12: each report's cost in
//! proportion to its answer, not to the log).

use anyhow::{Context, Result, bail};
use std::time::Instant;
use sync_protocol::values::IsoWeek;

use crate::wire::percentile;
use patrolsync_tests::raw::RawDevice;

/// The county date (`YYYY-MM-DD`) of Unix ms `ms`.
pub fn county_day(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms + sync_protocol::values::COUNTY_UTC_OFFSET_MS)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// Asks every report `n` times for `week` (a week the history fills) and prints its latencies.
pub async fn run(url: &str, password: &str, week: IsoWeek, n: usize) -> Result<()> {
    let mut county = RawDevice::new(url, "ca-1")?;
    county.login(password).await?;
    let mut inspector = RawDevice::new(url, "ti-t01-1")?;
    inspector.login(password).await?;
    let (from, to) = week.bounds_ms();
    let day = county_day;
    let (first, last) = (day(from), day(to - 1));
    let month_start = day(from - 21 * 86_400_000);
    let week_ledger = format!("/v1/ledger?from={first}&to={last}");
    let middle = middle_cursor(&county, &week_ledger).await?;
    let reports: Vec<(&str, &RawDevice, String)> = vec![
        ("compliance, county", &county, format!("/v1/compliance?week={week}")),
        ("compliance, township T01 (its inspector)", &inspector, format!("/v1/compliance?week={week}")),
        ("reconciliation, T01", &inspector, format!("/v1/reconciliation?township=T01&week={week}")),
        ("audit: township comparison", &county, format!("/v1/audit/townships?week={week}")),
        ("ledger, county, one week", &county, week_ledger.clone()),
        ("ledger, county, one week, first page of 1,000", &county, format!("{week_ledger}&limit=1000")),
        ("ledger, county, one week, a page of 1,000 from its middle", &county, format!("{week_ledger}&limit=1000&after={middle}")),
        ("ledger, township T01, four weeks", &inspector, format!("/v1/ledger?from={month_start}&to={last}&township=T01")),
        ("ledger, township T01, four weeks, CSV", &inspector, format!("/v1/ledger?from={month_start}&to={last}&township=T01&format=csv")),
        ("ledger, one officer, four weeks", &county, format!("/v1/ledger?from={month_start}&to={last}&officer=vo-t01-v01")),
        ("flags, county", &county, "/v1/flags".to_string()),
    ];
    println!("reports: each asked {n} times, one at a time, for {week}");
    for (name, who, path) in reports {
        let mut latencies = Vec::with_capacity(n);
        let mut size = 0;
        for _ in 0..n {
            let started = Instant::now();
            let (status, body) = who.get_text(&path).await?;
            latencies.push(started.elapsed());
            if !status.is_success() {
                bail!("{name}: {status}: {body}");
            }
            size = body.len();
        }
        latencies.sort();
        println!("  {name}: p50 {:.1} ms, p99 {:.1} ms ({size} bytes)", percentile(&latencies, 0.5), percentile(&latencies, 0.99));
    }
    Ok(())
}

/// The cursor halfway through the ledger at `path` (read off the clock): the `next` of a first
/// page holding half its rows.
async fn middle_cursor(county: &RawDevice, path: &str) -> Result<String> {
    let (_, whole) = county.get_json(path).await?;
    let half = whole["rows"].as_array().map_or(0, Vec::len) / 2;
    let (status, page) = county.get_json(&format!("{path}&limit={}", half.clamp(1, 10_000))).await?;
    if !status.is_success() {
        bail!("the ledger's first half: {status}: {page}");
    }
    Ok(page["next"].as_str().context("the week's ledger has a second half")?.to_string())
}
