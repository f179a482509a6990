//! A county without the demo, end to end: `init` founds it, a roster (花名册) in XLSX with Chinese
//! headings enrols its units and people, a changed roster applies only its differences (people no
//! longer listed are disabled, never deleted), the export reads back as the same roster, and every
//! roster problem is answered with its row and column while nothing changes.

use anyhow::{Context, Result, ensure};
use patrolsync_tests::county::{self, ADMIN_PASSWORD, HEAD_EN, HEAD_ZH, write_xlsx};
use patrolsync_tests::raw::RawDevice;
use patrolsync_tests::server::TestServer;
use patrolsync_tests::snapshot::Snapshot;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// A county founded by `init` in a fresh folder.
fn founded() -> Result<tempfile::TempDir> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("central.db");
    let out = county::init(&db)?;
    ensure!(out.status.success(), "init: {}", String::from_utf8_lossy(&out.stderr));
    // A second init changes nothing and says why.
    let again = county::init(&db)?;
    ensure!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("already holds a county"));
    Ok(dir)
}

/// The first roster: township T01 with two villages, two officers, an inspector, an auditor.
fn first_roster() -> Vec<Vec<&'static str>> {
    vec![
        HEAD_ZH.to_vec(),
        vec!["单位", "T01", "Dashan Township", "大山乡", "乡", "", "CTY", "是"],
        vec!["单位", "T01-V01", "Shangbao", "上堡村", "村", "", "T01"],
        vec!["单位", "T01-V02", "Xiabao", "下堡村", "村", "", "T01"],
        vec!["人员", "vo-1", "Liu Jianhua 刘建华", "", "", "动态巡查信息员", "T01-V01", "", "13907970001", "Z-T01-V01", "2026-01-01"],
        vec!["人员", "vo-2", "Qiu Haiyan 邱海燕", "", "", "动态巡查信息员", "T01-V02", "", "", "Z-T01-V02", "2026-01-01"],
        vec!["人员", "ti-1", "He Hongmei 何红梅", "", "", "执法监察员", "T01", "", "0797-1234567"],
        vec!["人员", "ca-1", "Wu Min 吴敏", "", "", "矿产股", "CTY"],
    ]
}

/// The problems of single rows in the bad roster below, and those found across rows once every row
/// reads: every roster problem of issue 11 (unknown unit, duplicate id, village officer with no
/// zone, inspector outside a township, bad date).
const ROW_PROBLEMS: [&str; 2] = ["row 11, column J (片区): officer_without_zone", "row 13, column K (起始日期): bad_date"];
const CROSS_ROW_PROBLEMS: [&str; 4] = [
    "row 9, column G (所属单位): unknown_unit",
    "row 10, column B (编号): duplicate_id",
    "row 11, column G (所属单位): inspector_outside_township",
    "row 12, column G (所属单位): unknown_unit",
];

/// Every table of the store at `db`, counted and digested.
fn snapshot(db: &Path) -> Result<Snapshot> {
    Snapshot::read(&rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?)
}

fn server_cmd(args: &[&str]) -> Result<std::process::Output> {
    TestServer::command(args, "")
}

fn count(server_db: &Path, sql: &str) -> Result<i64> {
    let conn = rusqlite::Connection::open_with_flags(server_db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    Ok(conn.query_row(sql, [], |r| r.get(0))?)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_roster_in_chinese_enrols_the_county_and_a_changed_one_applies_only_its_differences() -> Result<()> {
    let dir = founded()?;
    let db = dir.path().join("central.db");
    let dbs = db.to_str().context("utf-8")?;
    let file = dir.path().join("花名册.xlsx");
    write_xlsx(&file, &first_roster())?;
    let roster = file.to_str().context("utf-8")?;

    let events_before = count(&db, "SELECT count(*) FROM events")?;
    let dry = server_cmd(&["roster", "import", "--db", dbs, "--by", "admin", "--dry-run", roster])?;
    ensure!(dry.status.success(), "{}", String::from_utf8_lossy(&dry.stderr));
    let said = String::from_utf8_lossy(&dry.stdout);
    assert!(said.starts_with("dry run, nothing written: 3 units, 4 people enrolled"), "{said}");
    assert_eq!(count(&db, "SELECT count(*) FROM events")?, events_before, "a dry run writes nothing");

    let out = server_cmd(&["roster", "import", "--db", dbs, "--by", "admin", roster])?;
    ensure!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("3 units, 4 people enrolled, 0 changed, 2 assignments"), "{said}");
    assert_eq!(count(&db, "SELECT count(*) FROM events WHERE kind = 'user.enrolled' AND raw LIKE '%\"by\":\"admin\"%'")?, 4);
    assert_eq!(count(&db, "SELECT count(*) FROM users WHERE id = 'vo-1' AND phone = '13907970001'")?, 1, "a phone typed as a number");
    let again = server_cmd(&["roster", "import", "--db", dbs, "--by", "admin", roster])?;
    assert!(
        String::from_utf8_lossy(&again.stdout)
            .contains("0 units, 0 people enrolled, 0 changed, 0 assignments, 0 enabled, 0 disabled authored; 4 people unchanged")
    );

    // The server runs the county; the admin imports a changed roster through the API: vo-2 left,
    // the inspector's phone changed, vo-1 has a new zone, vo-3 is new.
    let server = TestServer::start_county(dir)?;
    let mut admin = RawDevice::new(&server.url(), "admin")?;
    let token = admin.login(ADMIN_PASSWORD).await?.access_token;
    let mut changed = first_roster();
    changed.retain(|r| r.get(1) != Some(&"vo-2"));
    for row in &mut changed {
        if row.get(1) == Some(&"ti-1") {
            row[8] = "0797-7654321";
        }
        if row.get(1) == Some(&"vo-1") {
            row[9] = "Z-T01-V01-B";
            row[10] = "2026-03-01";
        }
    }
    changed.push(vec!["人员", "vo-3", "Zeng Liping 曾丽萍", "", "", "动态巡查信息员", "T01-V02", "", "", "Z-T01-V02", "2026-03-01"]);
    let file2 = server.dir.path().join("roster-2.xlsx");
    write_xlsx(&file2, &changed)?;
    let http = reqwest::Client::new();
    let reply: Value = http
        .post(format!("{}/v1/admin/roster?format=xlsx", server.url()))
        .bearer_auth(&token)
        .body(std::fs::read(&file2)?)
        .send()
        .await?
        .json()
        .await?;
    let summary = &reply["summary"];
    let got = ["units", "enrolled", "changed", "assigned", "enabled", "disabled", "unchanged"].map(|k| summary[k].as_u64().unwrap_or(99));
    assert_eq!(got, [0, 1, 1, 2, 0, 1, 2], "{reply}");
    assert_eq!(count(&server.db(), "SELECT disabled FROM users WHERE id = 'vo-2'")?, 1, "no longer listed: disabled, still stored");
    assert_eq!(count(&server.db(), "SELECT count(*) FROM events WHERE kind = 'user.disabled' AND raw LIKE '%\"by\":\"admin\"%'")?, 1);

    // Exported (CSV, Chinese headings) and imported again: nothing changes.
    let export = server.dir.path().join("export.csv");
    let dbs = server.db();
    let out =
        server_cmd(&["roster", "export", "--db", dbs.to_str().context("utf-8")?, "--chinese", "-o", export.to_str().context("utf-8")?])?;
    ensure!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&export)?;
    assert!(text.starts_with(&HEAD_ZH.join(",")), "{text}");
    assert!(text.contains("人员,vo-1,Liu Jianhua 刘建华,,,动态巡查信息员,T01-V01,,13907970001,Z-T01-V01-B,2026-03-01"), "{text}");
    assert!(!text.contains("vo-2"), "a disabled person is not on the roster");
    let events = count(&server.db(), "SELECT count(*) FROM events")?;
    let reimport =
        server_cmd(&["roster", "import", "--db", dbs.to_str().context("utf-8")?, "--by", "admin", export.to_str().context("utf-8")?])?;
    ensure!(reimport.status.success(), "{}", String::from_utf8_lossy(&reimport.stderr));
    assert_eq!(count(&server.db(), "SELECT count(*) FROM events")?, events, "{}", String::from_utf8_lossy(&reimport.stdout));
    // The API's XLSX export in English reads back the same.
    let xlsx_bytes = http.get(format!("{}/v1/admin/roster?format=xlsx", server.url())).bearer_auth(&token).send().await?.bytes().await?;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx_bytes.to_vec()))?;
    let sheet = calamine::Reader::worksheet_range_at(&mut book, 0).context("a sheet")??;
    let head: Vec<String> = sheet.rows().next().context("a heading row")?.iter().map(ToString::to_string).collect();
    assert_eq!(head, HEAD_EN);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn every_roster_problem_is_answered_by_row_and_column_and_nothing_changes() -> Result<()> {
    let dir = founded()?;
    let db = dir.path().join("central.db");
    let file = dir.path().join("bad.xlsx");
    let mut rows = first_roster();
    rows.extend([
        // row 9: a village whose township is unknown
        vec!["单位", "T09-V01", "Nowhere", "无村", "村", "", "T09"],
        // row 10: the same person twice
        vec!["人员", "vo-1", "Liu again", "", "", "动态巡查信息员", "T01-V01", "", "", "Z-T01-V01", "2026-01-01"],
        // row 11: a village officer with no zone
        vec!["人员", "vo-4", "No zone", "", "", "动态巡查信息员", "T01-V02"],
        // row 12: an inspector outside a township
        vec!["人员", "ti-2", "In a village", "", "", "执法监察员", "T01-V01"],
        // row 13: a bad date
        vec!["人员", "vo-5", "Bad date", "", "", "动态巡查信息员", "T01-V02", "", "", "Z-T01-V02", "2026-02-30"],
        // row 14: a person in an unknown unit
        vec!["人员", "vo-6", "Lost", "", "", "动态巡查信息员", "T07-V07", "", "", "Z-T07-V07", "2026-01-01"],
    ]);
    write_xlsx(&file, &rows)?;
    let before = snapshot(&db)?;
    let out = server_cmd(&["roster", "import", "--db", db.to_str().context("utf-8")?, "--by", "admin", file.to_str().context("utf-8")?])?;
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    for line in ROW_PROBLEMS {
        assert!(said.contains(line), "{line:?} in:\n{said}");
    }
    assert_eq!(snapshot(&db)?.changes_since(&before), BTreeMap::new(), "a refused roster writes nothing");
    // Once every row reads, the cross-row problems are listed too.
    let mut cross = rows.clone();
    cross.retain(|r| !matches!(r.get(1), Some(&"vo-4") | Some(&"vo-5")));
    let cross_file = dir.path().join("cross.xlsx");
    write_xlsx(&cross_file, &cross)?;
    let out =
        server_cmd(&["roster", "import", "--db", db.to_str().context("utf-8")?, "--by", "admin", cross_file.to_str().context("utf-8")?])?;
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    for line in CROSS_ROW_PROBLEMS {
        assert!(said.contains(line), "{line:?} in:\n{said}");
    }
    assert_eq!(snapshot(&db)?.changes_since(&before), BTreeMap::new(), "a refused roster writes nothing");

    // The admin API answers the same lines (422 roster_refused), and writes nothing either.
    let server = TestServer::start_county(dir)?;
    let token = RawDevice::new(&server.url(), "admin")?.login(ADMIN_PASSWORD).await?.access_token;
    let before = Snapshot::of(&server)?;
    for (file, lines) in [(&file, &ROW_PROBLEMS[..]), (&cross_file, &CROSS_ROW_PROBLEMS[..])] {
        let reply = reqwest::Client::new()
            .post(format!("{}/v1/admin/roster?format=xlsx", server.url()))
            .bearer_auth(&token)
            .body(std::fs::read(file)?)
            .send()
            .await?;
        assert_eq!(reply.status().as_u16(), 422);
        let body: Value = reply.json().await?;
        assert_eq!(body["error"]["code"], "roster_refused", "{body}");
        for line in lines {
            assert!(body.to_string().contains(line), "{line:?} in {body}");
        }
    }
    assert_eq!(Snapshot::of(&server)?.changes_since(&before), BTreeMap::new(), "a refused roster writes nothing");
    Ok(())
}
