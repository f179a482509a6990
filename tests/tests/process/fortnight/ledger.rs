//! The fortnight's ledger: its JSON rows against the script, the CSV and XLSX exports read back to
//! the same rows under the same headings, and who may read which ledger.

use anyhow::{Context, Result};
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::server::TestServer;
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::BTreeSet;

use super::{Patrol, Script, get, ids, status};

/// The ledger as JSON against the script, then the CSV and XLSX read back to the same rows.
pub(super) async fn check_ledger(
    s: &Script,
    server: &TestServer,
    county: &RawDevice,
    inspector: &RawDevice,
    officer: &RawDevice,
) -> Result<()> {
    let first = s.patrols.iter().map(|p| p.start).min().context("patrols")?;
    let day =
        |ms: i64| chrono::DateTime::from_timestamp_millis(ms + 8 * 3_600_000).map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default();
    let range = format!("from={}&to={}", day(first), day(now_ms() as i64));
    let ledger = get(inspector, &format!("/v1/ledger?{range}&township=T03")).await?;
    let rows = ledger["rows"].as_array().context("rows")?;
    let mut expected: Vec<&Patrol> = s.patrols.iter().filter(|p| p.officer.starts_with("vo-t03-")).collect();
    expected.sort_by_key(|p| (p.start, p.id));
    assert_eq!(
        ids(&ledger["rows"], "patrol"),
        expected.iter().map(|p| p.id.to_string()).collect::<Vec<_>>(),
        "one row per patrol, in order"
    );
    for (row, p) in rows.iter().zip(&expected) {
        assert_eq!(row["officer"], p.officer.as_str());
        assert_eq!(row["week"], p.week.to_string());
        assert_eq!(row["counts"], p.counts);
        let findings = s.findings.iter().filter(|f| f.patrol == p.id).count();
        assert_eq!(row["findings"].as_str().map(|t| if t.is_empty() { 0 } else { t.split("; ").count() }), Some(findings), "{}", p.id);
        let evidence = row["evidence"].as_str().unwrap_or_default().split(' ').count();
        assert_eq!(evidence, 1 + findings, "the patrol's hash and each finding's");
        assert_eq!(row["attachments"], "");
    }
    let escalated = rows.iter().find(|r| r["cases"] != "").context("the escalated finding's patrol")?;
    assert_eq!(escalated["cases"], "referred");
    assert!(!ledger.to_string().contains("王举报"), "no informant in the ledger");

    // CSV and XLSX read back to the JSON's rows, under the same headings.
    let headings: Vec<String> = ids(&ledger["columns"], "heading");
    assert_eq!(headings[0], "巡查编号");
    let keys: Vec<String> = ids(&ledger["columns"], "key");
    let as_text = |v: &Value| match v {
        Value::String(t) => t.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    let json_rows: Vec<Vec<String>> = rows.iter().map(|r| keys.iter().map(|k| as_text(&r[k])).collect()).collect();
    let csv_bytes = download(server, inspector, &format!("/v1/ledger?{range}&township=T03&format=csv")).await?;
    let mut reader = csv::Reader::from_reader(csv_bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&csv_bytes));
    assert_eq!(reader.headers()?.iter().collect::<Vec<_>>(), headings.iter().map(String::as_str).collect::<Vec<_>>());
    let csv_rows: Vec<Vec<String>> =
        reader.records().map(|r| r.map(|r| r.iter().map(str::to_string).collect())).collect::<Result<_, _>>()?;
    assert_eq!(csv_rows, json_rows);
    let xlsx = download(server, inspector, &format!("/v1/ledger?{range}&township=T03&format=xlsx&lang=en")).await?;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx))?;
    let sheet = calamine::Reader::worksheet_range_at(&mut book, 0).context("a sheet")??;
    let mut cells = sheet.rows().map(|r| r.iter().map(cell_text).collect::<Vec<_>>());
    assert_eq!(cells.next().context("headings")?[0], "patrol");
    assert_eq!(cells.collect::<Vec<_>>(), json_rows);

    // Scope: the officer reads only their own ledger; another township's inspector nothing of T03.
    assert_eq!(status(officer, &format!("/v1/ledger?{range}&township=T03")).await?, StatusCode::NOT_FOUND);
    assert_eq!(status(officer, &format!("/v1/ledger?{range}&officer=vo-t03-v02")).await?, StatusCode::NOT_FOUND);
    let own = get(officer, &format!("/v1/ledger?{range}")).await?;
    assert_eq!(ids(&own["rows"], "officer").into_iter().collect::<BTreeSet<_>>(), BTreeSet::from([officer.user.to_string()]));
    let all = get(county, &format!("/v1/ledger?{range}")).await?;
    assert_eq!(all["rows"].as_array().map(Vec::len), Some(s.patrols.len()));
    assert_eq!(status(inspector, &format!("/v1/ledger?{range}&township=T05")).await?, StatusCode::NOT_FOUND);
    assert_eq!(status(inspector, &format!("/v1/ledger?{range}&village=T05-V01")).await?, StatusCode::NOT_FOUND);
    assert_eq!(status(inspector, &format!("/v1/ledger?{range}&officer=vo-t05-v01")).await?, StatusCode::NOT_FOUND);
    assert_eq!(status(inspector, &format!("/v1/ledger?{range}&township=T03&village=T03-V01")).await?, StatusCode::BAD_REQUEST);
    assert_eq!(status(officer, "/v1/reconciliation?township=T03").await?, StatusCode::FORBIDDEN);
    assert_eq!(status(inspector, "/v1/reconciliation?township=T05").await?, StatusCode::NOT_FOUND);
    let admin = server.device("admin").await?;
    assert_eq!(status(&admin, &format!("/v1/ledger?{range}")).await?, StatusCode::FORBIDDEN);
    assert_eq!(status(&admin, "/v1/compliance").await?, StatusCode::FORBIDDEN);
    let commissioner = server.device("cm-1").await?;
    assert_eq!(get(&commissioner, &format!("/v1/ledger?{range}")).await?["rows"], all["rows"], "commissioners read everything");
    Ok(())
}

fn cell_text(c: &calamine::Data) -> String {
    match c {
        calamine::Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        calamine::Data::Empty => String::new(),
        other => other.to_string(),
    }
}

async fn download(server: &TestServer, d: &RawDevice, path: &str) -> Result<Vec<u8>> {
    let response = d.http.get(format!("{}{path}", server.url())).bearer_auth(d.token.clone().unwrap_or_default()).send().await?;
    anyhow::ensure!(response.status() == StatusCode::OK, "{path}: {}", response.status());
    Ok(response.bytes().await?.to_vec())
}
