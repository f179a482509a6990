//! Evidence in the reports, against the real server: the ledger lists the hashes of a patrol's
//! attachments and its findings' (JSON, CSV and XLSX alike, in no other patrol's row), and the
//! township reconciliation lists attachments whose bytes have not reached the server until they do.

use anyhow::{Context, Result};
use patrolsync_tests::app::spawn_app;
use patrolsync_tests::photo::{jpeg, sha256_hex};
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::tracks;
use reqwest::StatusCode;
use serde_json::Value;
use sync_protocol::body::{Body, FindingKind, SubjectKind};
use sync_protocol::ids::{EventId, ZoneId};
use sync_protocol::wire::AckStatus;

async fn accepted(d: &mut RawDevice, bodies: &[Body]) -> Result<Vec<EventId>> {
    let events: Vec<_> = bodies.iter().map(|b| d.seal(b)).collect();
    let response = d.sync(&events).await?;
    anyhow::ensure!(response.acks.iter().all(|a| a.status == AckStatus::Accepted), "{:?}", response.acks);
    Ok(events.iter().map(|e| e.id).collect())
}

async fn get(d: &RawDevice, path: &str) -> Result<Value> {
    let (status, body) = d.get_json(path).await?;
    anyhow::ensure!(status == StatusCode::OK, "{path}: {status} {body}");
    Ok(body)
}

async fn download(d: &RawDevice, path: &str) -> Result<Vec<u8>> {
    let response = d.http.get(format!("{}{path}", d.url)).bearer_auth(d.token.clone().unwrap_or_default()).send().await?;
    anyhow::ensure!(response.status() == StatusCode::OK, "{path}: {}", response.status());
    Ok(response.bytes().await?.to_vec())
}

fn county_day(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms + 8 * 3_600_000).map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

/// The ledger's attachments column per patrol, as JSON, CSV and XLSX read it.
async fn attachment_columns(d: &RawDevice, range: &str) -> Result<[Vec<(String, String)>; 3]> {
    let json = get(d, &format!("/v1/ledger?{range}&township=T01")).await?;
    let from_json = json["rows"]
        .as_array()
        .context("rows")?
        .iter()
        .map(|r| (r["patrol"].as_str().unwrap_or_default().to_string(), r["attachments"].as_str().unwrap_or_default().to_string()))
        .collect();
    let keys: Vec<&str> = json["columns"].as_array().context("columns")?.iter().filter_map(|c| c["key"].as_str()).collect();
    let at = keys.iter().position(|k| *k == "attachments").context("an attachments column")?;
    let csv = download(d, &format!("/v1/ledger?{range}&township=T01&format=csv")).await?;
    let mut reader = csv::Reader::from_reader(csv.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&csv));
    let from_csv = reader.records().map(|r| r.map(|r| (r[0].to_string(), r[at].to_string()))).collect::<Result<Vec<_>, _>>()?;
    let xlsx = download(d, &format!("/v1/ledger?{range}&township=T01&format=xlsx")).await?;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx))?;
    let sheet = calamine::Reader::worksheet_range_at(&mut book, 0).context("a sheet")??;
    let text = |c: &calamine::Data| if matches!(c, calamine::Data::Empty) { String::new() } else { c.to_string() };
    let from_xlsx = sheet.rows().skip(1).map(|r| (text(&r[0]), text(&r[at]))).collect();
    Ok([from_json, from_csv, from_xlsx])
}

async fn missing_in_reconciliation(d: &RawDevice) -> Result<Vec<String>> {
    let r = get(d, "/v1/reconciliation?township=T01").await?;
    assert_eq!(r["evidence_missing_more"], false);
    let list = r["evidence_missing"].as_array().context("evidence_missing")?;
    Ok(list.iter().map(|m| m["sha256"].as_str().unwrap_or_default().to_string()).collect())
}

#[tokio::test]
async fn the_ledger_and_the_reconciliation_show_the_evidence() -> Result<()> {
    let server = spawn_app()?;
    let mut officer = server.device("vo-t01-v01").await?;
    let zone = ZoneId::new("Z-T01-V01")?;
    let start = now_ms() as i64 - 4 * 3_600_000;
    let ids = accepted(&mut officer, &[tracks::patrol(&zone, start, 20, 1), tracks::patrol(&zone, start + 2 * 3_600_000, 20, 2)]).await?;
    let (patrol, other) = (ids[0], ids[1]);
    let finding = accepted(&mut officer, &[tracks::finding(&zone, patrol, start + 60_000, FindingKind::UnlicensedMining, None)]).await?[0];
    let (on_finding, on_patrol) = (jpeg(None, 2_000, 1), jpeg(None, 2_000, 2));
    accepted(
        &mut officer,
        &[
            patrolsync_tests::photo::jpeg_attachment(SubjectKind::Finding, finding, &on_finding),
            patrolsync_tests::photo::jpeg_attachment(SubjectKind::Patrol, patrol, &on_patrol),
        ],
    )
    .await?;
    let (finding_hash, patrol_hash) = (sha256_hex(&on_finding), sha256_hex(&on_patrol));

    let inspector = server.device("ti-t01-1").await?;
    let range = format!("from={}&to={}", county_day(start), county_day(now_ms() as i64));
    let expected = vec![(patrol.to_string(), format!("{patrol_hash} {finding_hash}")), (other.to_string(), String::new())];
    for (format, rows) in ["json", "csv", "xlsx"].iter().zip(attachment_columns(&inspector, &range).await?) {
        assert_eq!(rows, expected, "{format}: the patrol's hash, then its finding's; none in the other patrol's row");
    }

    // Nothing uploaded yet: both are missing; once the finding's photo is up, only the patrol's.
    let mut missing = missing_in_reconciliation(&inspector).await?;
    missing.sort();
    let mut both = vec![finding_hash.clone(), patrol_hash.clone()];
    both.sort();
    assert_eq!(missing, both);
    let put = officer
        .http
        .put(format!("{}/v1/blobs/{finding_hash}", officer.url))
        .bearer_auth(officer.token.clone().unwrap_or_default())
        .header("upload-offset", 0)
        .body(on_finding.clone())
        .send()
        .await?;
    assert_eq!(put.status(), StatusCode::CREATED);
    assert_eq!(missing_in_reconciliation(&inspector).await?, vec![patrol_hash.clone()]);
    let county = server.device("ca-1").await?;
    assert_eq!(missing_in_reconciliation(&county).await?, vec![patrol_hash]);
    let elsewhere = server.device("ti-t05-1").await?;
    assert_eq!(elsewhere.reconciliation("township=T01").await?.0, StatusCode::NOT_FOUND);
    Ok(())
}
