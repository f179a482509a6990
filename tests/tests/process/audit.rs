//! The county audit through the real server: the per-township comparison and the integrity check,
//! which finds one byte changed directly in the store's database file (with the server stopped),
//! from the command line and from the endpoint, and names exactly the changed event.

use anyhow::{Context, Result};
use patrolsync_tests::raw::now_ms;
use patrolsync_tests::server::{TestServer, server_binary};
use patrolsync_tests::tracks;
use reqwest::StatusCode;
use serde_json::Value;
use sync_protocol::body::{Body, ZeroReportFiled};
use sync_protocol::ids::ZoneId;
use sync_protocol::values::IsoWeek;
use sync_protocol::wire::AckStatus;

const MARK: &[u8] = b"probe-note-AAAA";

fn integrity_command(server: &TestServer) -> Result<(bool, Value)> {
    let out = std::process::Command::new(server_binary()).args(["audit", "integrity", "--json", "--db"]).arg(server.db()).output()?;
    Ok((out.status.success(), serde_json::from_slice(&out.stdout).context("the command's JSON")?))
}

#[tokio::test]
async fn the_integrity_check_finds_one_byte_changed_in_the_store() -> Result<()> {
    let mut server = TestServer::start()?;
    let zone = ZoneId::new("Z-T03-V02")?;
    let mut officer = server.device("vo-t03-v02").await?;
    // The county's week of the patrol (an hour ago, which is the week before in the county's
    // first hour of a Monday), and the zero report of the same week.
    let patrol_at = now_ms() as i64 - 3_600_000;
    let week = IsoWeek::of_ms(patrol_at);
    let note = String::from_utf8(MARK.to_vec())?;
    let zero = Body::ZeroReportFiled(ZeroReportFiled { officer: officer.user.clone(), week, zone: Some(zone.clone()), note });
    let zero = officer.seal(&zero);
    let patrol = officer.seal(&tracks::patrol(&zone, patrol_at, 40, 3));
    let r = officer.sync(&[zero.clone(), patrol]).await?;
    assert!(r.acks.iter().all(|a| a.status == AckStatus::Accepted), "{:?}", r.acks);

    // Who may audit: the county section and commissioners; nobody else.
    let county = server.device("ca-1").await?;
    let (status, clean) = county.audit_integrity().await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(clean["breaks"], Value::Array(vec![]), "an untouched store is whole");
    let events: i64 = server.open_store()?.query_row("SELECT count(*) FROM events", [], |r| r.get(0))?;
    assert_eq!(clean["events_checked"], events);
    assert_eq!(server.device("cm-1").await?.audit_integrity().await?.0, StatusCode::OK);
    let (status, table) = county.audit_townships(&format!("week={week}")).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(table["townships"]["T03"]["patrols"], 1);
    assert_eq!(table["townships"]["T03"]["zero_reports_filed"], 1);
    for user in ["ti-t03-1", "vo-t03-v02", "admin"] {
        let d = server.device(user).await?;
        for path in ["/v1/audit/integrity", "/v1/audit/townships"] {
            assert_eq!(d.get_json(path).await?.0, StatusCode::FORBIDDEN, "{user} {path}");
        }
    }

    // Stop the server, fold the WAL into the file, change one byte of the zero report's text.
    server.kill();
    {
        let conn = rusqlite::Connection::open(server.db())?;
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    }
    let mut bytes = std::fs::read(server.db())?;
    let at: Vec<usize> = bytes.windows(MARK.len()).enumerate().filter(|(_, w)| *w == MARK).map(|(i, _)| i).collect();
    assert_eq!(at.len(), 1, "the mark is stored once");
    bytes[at[0] + MARK.len() - 1] = b'B';
    std::fs::write(server.db(), bytes)?;

    let (ok, report) = integrity_command(&server)?;
    assert!(!ok, "the command fails when it finds a break");
    let expect_one = |report: &Value| {
        let breaks = report["breaks"].as_array().cloned().unwrap_or_default();
        assert_eq!(breaks.len(), 1, "{report}");
        assert_eq!(breaks[0]["event"], zero.id.to_string());
        assert_eq!(breaks[0]["device"], officer.device.to_string());
        assert_eq!(breaks[0]["seq"], zero.seq);
        assert!(breaks[0]["problem"].as_str().is_some_and(|p| p.contains("hash")), "{}", breaks[0]);
        breaks[0]["server_seq"].as_i64()
    };
    let server_seq = expect_one(&report);
    let stored: i64 =
        server.open_store()?.query_row("SELECT server_seq FROM events WHERE id = ?1", [zero.id.0.as_bytes()], |r| r.get(0))?;
    assert_eq!(server_seq, Some(stored));

    server.restart()?;
    let county = server.device("ca-1").await?;
    let (status, report) = county.audit_integrity().await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(expect_one(&report), Some(stored));
    Ok(())
}
