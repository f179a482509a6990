//! Paging the ledger (`limit`, `after`): the pages, followed by their `next`, hold every row of the
//! whole ledger once and in its order; a patrol arriving between two pages lands on a later page
//! when it sorts after the cursor and on none when before, the rows already read unmoved; a bad
//! cursor or limit is a 400 that changes nothing; a request without `limit` is answered as before.

use anyhow::{Context, Result, ensure};
use patrolsync_tests::app::spawn_app;
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::tracks;
use reqwest::StatusCode;
use serde_json::Value;
use sync_protocol::body::Body;
use sync_protocol::ids::ZoneId;
use sync_protocol::wire::AckStatus;

const HOUR_MS: i64 = 3_600_000;

async fn record(d: &mut RawDevice, bodies: &[Body]) -> Result<()> {
    let events: Vec<_> = bodies.iter().map(|b| d.seal(b)).collect();
    let response = d.sync(&events).await?;
    ensure!(response.acks.iter().all(|a| a.status == AckStatus::Accepted), "{:?}", response.acks);
    Ok(())
}

async fn get(d: &RawDevice, path: &str) -> Result<Value> {
    let (status, body) = d.get_json(path).await?;
    ensure!(status == StatusCode::OK, "{path}: {status} {body}");
    Ok(body)
}

fn county_day(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms + 8 * HOUR_MS).map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

fn patrols(page: &Value) -> Result<Vec<String>> {
    let rows = page["rows"].as_array().context("rows")?;
    Ok(rows.iter().map(|r| r["patrol"].as_str().unwrap_or_default().to_string()).collect())
}

/// The rows of the pages of `limit` from `after` to the end, following each page's `next`; the
/// rows of each page are checked to be at most `limit`, and every page but the last to be full.
async fn pages(d: &RawDevice, range: &str, limit: usize, mut after: Option<String>) -> Result<Vec<Value>> {
    let mut rows = Vec::new();
    loop {
        let cursor = after.as_ref().map(|a| format!("&after={a}")).unwrap_or_default();
        let page = get(d, &format!("/v1/ledger?{range}&limit={limit}{cursor}")).await?;
        let got = page["rows"].as_array().context("rows")?;
        ensure!(got.len() <= limit, "a page of {limit} holds {} rows", got.len());
        rows.extend(got.iter().cloned());
        match page.get("next").and_then(Value::as_str) {
            Some(next) => {
                ensure!(got.len() == limit, "a page followed by another holds {} rows of {limit}", got.len());
                after = Some(next.to_string());
            }
            None => return Ok(rows),
        }
    }
}

#[tokio::test]
async fn the_ledgers_pages_hold_its_rows_once_in_order_while_patrols_arrive() -> Result<()> {
    let server = spawn_app()?;
    let mut a = server.device("vo-t01-v01").await?;
    let mut b = server.device("vo-t02-v01").await?;
    let (zone_a, zone_b) = (ZoneId::new("Z-T01-V01")?, ZoneId::new("Z-T02-V01")?);
    let start = now_ms() as i64 - 30 * HOUR_MS;
    // Two officers start at the same times: rows that tie on their start are ordered by patrol id.
    let at = |i: i64| start + 2 * HOUR_MS + i * HOUR_MS;
    record(&mut a, &(0..7).map(|i| tracks::patrol(&zone_a, at(i), 20, i as u64)).collect::<Vec<_>>()).await?;
    record(&mut b, &(0..6).map(|i| tracks::patrol(&zone_b, at(i), 20, 100 + i as u64)).collect::<Vec<_>>()).await?;
    let county = server.device("ca-1").await?;
    let range = format!("from={}&to={}", county_day(start - 24 * HOUR_MS), county_day(now_ms() as i64));

    let whole = get(&county, &format!("/v1/ledger?{range}")).await?;
    ensure!(whole.get("next").is_none(), "a ledger asked without limit has no next: {}", whole["next"]);
    let all = whole["rows"].as_array().context("rows")?.clone();
    ensure!(all.len() == 13, "{} rows", all.len());
    for limit in [1, 4, 5, 13, 100] {
        assert_eq!(pages(&county, &range, limit, None).await?, all, "pages of {limit}");
    }
    // An inspector's pages of their township hold its rows of the whole ledger.
    let inspector = server.device("ti-t01-1").await?;
    let t01: Vec<Value> = all.iter().filter(|r| r["township"] == "T01").cloned().collect();
    assert_eq!(pages(&inspector, &format!("{range}&township=T01"), 3, None).await?, t01);

    // Five rows read; then a patrol that sorts before the cursor and one after it arrive.
    let first = get(&county, &format!("/v1/ledger?{range}&limit=5")).await?;
    let next = first["next"].as_str().context("a next after the first page")?.to_string();
    record(&mut a, &[tracks::patrol(&zone_a, start, 20, 7), tracks::patrol(&zone_a, at(9), 20, 8)]).await?;
    let now_whole = patrols(&get(&county, &format!("/v1/ledger?{range}")).await?)?;
    let (early, late) = (now_whole[0].clone(), now_whole[now_whole.len() - 1].clone());
    let rest = pages(&county, &range, 5, Some(next)).await?;
    let mut read: Vec<Value> = first["rows"].as_array().context("rows")?.clone();
    read.extend(rest);
    let read_ids: Vec<String> = read.iter().map(|r| r["patrol"].as_str().unwrap_or_default().to_string()).collect();
    let expected: Vec<String> = now_whole.iter().filter(|p| **p != early).cloned().collect();
    assert_eq!(read_ids, expected, "the pages hold the rows after the cursor as they are now, the early one on none");
    assert!(read_ids.contains(&late) && !read_ids.contains(&early));
    assert_eq!(read[..all.len()], all[..], "the rows read before and after the arrivals are the ledger's rows, in order");
    Ok(())
}

#[tokio::test]
async fn a_bad_cursor_or_limit_is_refused_and_changes_nothing() -> Result<()> {
    let server = spawn_app()?;
    let mut a = server.device("vo-t01-v01").await?;
    let zone = ZoneId::new("Z-T01-V01")?;
    let start = now_ms() as i64 - 10 * HOUR_MS;
    record(&mut a, &(0..3).map(|i| tracks::patrol(&zone, start + i * HOUR_MS, 20, i as u64)).collect::<Vec<_>>()).await?;
    let county = server.device("ca-1").await?;
    let range = format!("from={}&to={}", county_day(start - 24 * HOUR_MS), county_day(now_ms() as i64));
    let before = get(&county, &format!("/v1/ledger?{range}")).await?;
    let id = before["rows"][0]["patrol"].as_str().context("a patrol")?.to_string();
    for (query, says) in [
        ("&after=nonsense", "after"),
        (&format!("&after={id}") as &str, "after"),
        (&format!("&after=x,{id}"), "after"),
        ("&after=1764131257000,not-an-id", "after"),
        ("&limit=0", "limit"),
        ("&limit=10001", "limit"),
        ("&limit=-1", ""),
        ("&limit=2&format=csv", "limit"),
        ("&after=1764131257000,0192f0c1-7a3b-7c00-8000-000000000001&format=xlsx", "limit"),
    ] {
        let (status, body) = county.get_json(&format!("/v1/ledger?{range}{query}")).await?;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(body["error"]["code"], "malformed_request", "{query}: {body}");
        assert!(body.to_string().contains(says), "{query}: {body}");
    }
    let (status, body) = county.get_json(&format!("/v1/map?{range}&limit=2")).await?;
    assert_eq!(status, StatusCode::BAD_REQUEST, "the map is not paged: {body}");
    assert_eq!(get(&county, &format!("/v1/ledger?{range}")).await?, before, "a refused request changed nothing");
    Ok(())
}
