//! The reports phase: after the push, each report the county's levels read is asked `n` times over
//! HTTP, one request at a time, and its p50 and p99 printed (issue 12: each report's cost in
//! proportion to its answer, not to the log); with several counties, spread over them, and the
//! officials' roll-ups across them (issue 16).

use anyhow::{Context, Result, bail};
use std::time::Instant;
use sync_protocol::values::IsoWeek;

use crate::counties::BenchCounty;
use crate::wire::percentile;
use patrolsync_tests::raw::RawDevice;

/// The county date (`YYYY-MM-DD`) of Unix ms `ms`.
pub fn county_day(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms + sync_protocol::values::COUNTY_UTC_OFFSET_MS)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// Asks every report `n` times for `week` (a week the history fills) and prints its latencies:
/// with several counties, each ask goes to the next county in turn, as that county's users, and
/// the officials' roll-ups across all of them follow.
pub async fn run(url: &str, password: &str, week: IsoWeek, n: usize, counties: &[BenchCounty]) -> Result<()> {
    let mut asked = Vec::with_capacity(counties.len());
    for county in counties {
        asked.push(county_reports(url, password, week, county).await?);
    }
    let several = counties.len() > 1;
    if several {
        println!(
            "reports: each asked {n} times, one at a time, for {week}, the counties in turn (each its own auditor ca-1, its first township's inspector and officer)"
        );
    } else {
        println!("reports: each asked {n} times, one at a time, for {week}");
    }
    let first = asked.first().context("no county")?;
    for (r, (name, _, _)) in first.reports.iter().enumerate() {
        let asks = (0..n).map(|k| {
            let county = &asked[k % asked.len()];
            let (_, who, path) = &county.reports[r];
            (&county.who[*who], path.as_str())
        });
        time(name, asks, n).await?;
    }
    if several {
        rollups(url, password, week, n, counties).await?;
    }
    Ok(())
}

/// One county's users who ask (its auditor, then its first township's inspector) and its reports:
/// name, which of the two asks, path.
struct CountyAsks {
    who: [RawDevice; 2],
    reports: Vec<(String, usize, String)>,
}

async fn county_reports(url: &str, password: &str, week: IsoWeek, county: &BenchCounty) -> Result<CountyAsks> {
    let (township, inspector, officer) = county.asked()?;
    let mut auditor = county.device(url, "ca-1")?;
    auditor.login(password).await?;
    let mut ti = county.device(url, inspector.as_str())?;
    ti.login(password).await?;
    let (from, to) = week.bounds_ms();
    let day = county_day;
    let (first, last) = (day(from), day(to - 1));
    let month_start = day(from - 21 * 86_400_000);
    let week_ledger = format!("/v1/ledger?from={first}&to={last}");
    let middle = middle_cursor(&auditor, &week_ledger).await?;
    let (t, four_weeks) = (township.as_str(), format!("/v1/ledger?from={month_start}&to={last}"));
    let (county_level, township_level) = (0, 1);
    let mut reports = vec![
        ("compliance, county".to_owned(), county_level, format!("/v1/compliance?week={week}")),
        (format!("compliance, township {t} (its inspector)"), township_level, format!("/v1/compliance?week={week}")),
        (format!("reconciliation, {t}"), township_level, format!("/v1/reconciliation?township={t}&week={week}")),
        ("audit: township comparison".to_owned(), county_level, format!("/v1/audit/townships?week={week}")),
        ("ledger, county, one week".to_owned(), county_level, week_ledger.clone()),
        ("ledger, county, one week, first page of 1,000".to_owned(), county_level, format!("{week_ledger}&limit=1000")),
        (
            "ledger, county, one week, a page of 1,000 from its middle".to_owned(),
            county_level,
            format!("{week_ledger}&limit=1000&after={middle}"),
        ),
        (format!("ledger, township {t}, four weeks"), township_level, format!("{four_weeks}&township={t}")),
        (format!("ledger, township {t}, four weeks, CSV"), township_level, format!("{four_weeks}&township={t}&format=csv")),
        ("ledger, one officer, four weeks".to_owned(), county_level, format!("{four_weeks}&officer={officer}")),
        ("flags, county".to_owned(), county_level, "/v1/flags".to_owned()),
        (format!("flags, township {t}, the week"), township_level, format!("/v1/flags?week={week}&township={t}")),
        ("flags, county, outside zone".to_owned(), county_level, "/v1/flags?kind=outside_zone".to_owned()),
        ("cases, county, first page".to_owned(), county_level, "/v1/cases".to_owned()),
        (format!("cases, township {t} (its inspector), open"), township_level, format!("/v1/cases?township={t}&stage=verified")),
        ("office records, county (the console's map and cases)".to_owned(), county_level, "/v1/office".to_owned()),
        ("missing evidence, county, first page".to_owned(), county_level, "/v1/evidence/missing".to_owned()),
    ];
    // One case, when the history opened any: the newest.
    let (_, newest) = auditor.get_json("/v1/cases?limit=1").await?;
    if let Some(case) = newest["cases"][0]["id"].as_str() {
        reports.push(("one case, county".to_owned(), county_level, format!("/v1/cases/{case}")));
    }
    Ok(CountyAsks { who: [auditor, ti], reports })
}

/// The city and province officials' roll-ups of the week across the deployment's counties.
async fn rollups(url: &str, password: &str, week: IsoWeek, n: usize, counties: &[BenchCounty]) -> Result<()> {
    let first = counties.first().and_then(|c| c.code.clone()).unwrap_or_default();
    let officials = [
        (format!("roll-ups, province official, {} counties", counties.len()), "prov-1".to_owned()),
        (format!("roll-ups, city official, {} counties", counties.len()), "city-1".to_owned()),
        ("roll-ups, one county's city official, 1 county".to_owned(), format!("city-{first}")),
    ];
    for (name, user) in officials {
        let mut official = RawDevice::new(url, &user)?;
        let (status, reply) = official.official_login(&user, password).await?;
        if !status.is_success() {
            bail!("{user}'s login: {status}: {reply}");
        }
        let path = format!("/v1/rollups?week={week}");
        time(&name, (0..n).map(|_| (&official, path.as_str())), n).await?;
    }
    Ok(())
}

/// Asks each of `asks` once, one at a time, and prints the latencies of `name` with the replies'
/// sizes (the range, when they differ).
async fn time(name: &str, asks: impl Iterator<Item = (&RawDevice, &str)>, n: usize) -> Result<()> {
    let mut latencies = Vec::with_capacity(n);
    let mut sizes = Vec::with_capacity(n);
    for (who, path) in asks {
        let started = Instant::now();
        let (status, body) = who.get_text(path).await?;
        latencies.push(started.elapsed());
        if !status.is_success() {
            bail!("{name}: {status}: {body}");
        }
        sizes.push(body.len());
    }
    latencies.sort();
    let (least, most) = (sizes.iter().min().copied().unwrap_or(0), sizes.iter().max().copied().unwrap_or(0));
    let size = if least == most { format!("{most} bytes") } else { format!("{least} to {most} bytes") };
    println!("  {name}: p50 {:.1} ms, p99 {:.1} ms ({size})", percentile(&latencies, 0.5), percentile(&latencies, 0.99));
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
