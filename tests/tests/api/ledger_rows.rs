//! One definition of a ledger row (`sync_protocol::ledger`), on the phone and on the server: after
//! a sync, each patrol's row in a phone's `ledger` equals its row in `GET /v1/ledger`, column for
//! column, on the officer's phone that recorded it and on the inspector's phone that pulled it
//! (docs/reports.md names the limits: default check settings, flags only the server raises).

use anyhow::{Context, Result, ensure};
use chrono::{Duration, Utc};
use patrolsync_client::replica::{NewFinding, NewPatrol, Replica};
use patrolsync_client::sync;
use patrolsync_tests::app::spawn_app;
use patrolsync_tests::device::{new_patrol, phone, walk};
use std::collections::BTreeMap;
use sync_protocol::body::{Body, CaseOpened, CaseSource, FindingKind, Mineral, Subject, SubjectKind};
use sync_protocol::ids::{EventId, UnitId};
use sync_protocol::ledger::LedgerRow;
use sync_protocol::values::{COUNTY_UTC_OFFSET_MS, Coord};
use sync_protocol::wire::reports::{Format, Lang, Ledger, LedgerQuery};

/// The server's ledger of the last few days in the scope of `replica`'s user, by patrol id.
async fn server_rows(replica: &Replica) -> Result<BTreeMap<String, LedgerRow>> {
    let today = (Utc::now() + Duration::milliseconds(COUNTY_UTC_OFFSET_MS)).date_naive();
    let query = LedgerQuery {
        from: today - Duration::days(2),
        to: today + Duration::days(1),
        officer: None,
        village: None,
        township: None,
        format: Format::Json,
        lang: Lang::En,
        limit: None,
        after: None,
    };
    let ledger: Ledger = serde_json::from_slice(&sync::ledger_export(replica, &query).await?)?;
    Ok(ledger.rows.into_iter().map(|r| (r.patrol.clone(), r)).collect())
}

/// The phone's own ledger rows, by patrol id.
fn phone_rows(replica: &Replica) -> Result<BTreeMap<String, LedgerRow>> {
    Ok(replica.ledger()?.patrols.into_iter().map(|p| (p.row.patrol.clone(), p.row)).collect())
}

/// Each of `patrols` has the same row on `replica`'s phone as in the server's ledger for its user.
async fn same_rows(replica: &Replica, who: &str, patrols: [EventId; 2]) -> Result<()> {
    let (on_phone, on_server) = (phone_rows(replica)?, server_rows(replica).await?);
    for id in patrols {
        let key = id.to_string();
        let mine = on_phone.get(&key).with_context(|| format!("{who}'s phone: no row of {id}"))?;
        assert_eq!(Some(mine), on_server.get(&key), "{who}: patrol {id}");
    }
    Ok(())
}

#[tokio::test]
async fn a_patrols_row_on_the_phone_is_its_row_in_the_servers_ledger() -> Result<()> {
    let server = spawn_app()?;
    let dir = tempfile::tempdir()?;
    let mut officer = phone(&dir.path().join("officer.db"), &server.url(), "vo-t01-v01").await?;
    sync::sync(&mut officer).await?;
    let zone = officer.assigned_zone(officer.now_ms())?;
    let now = officer.now_ms();
    // Seventy minutes in the zone with a rare-earth finding (high priority, in no licence) and a
    // document attached to it; then three fixes, too short to count.
    let long_walk = walk(&zone, now - 3 * 3_600_000, 70, 1);
    let at = Coord { lon: long_walk[10].lon, lat: long_walk[10].lat };
    let long = officer.record_patrol(NewPatrol { findings: true, ..new_patrol(None, long_walk, "river bank") })?;
    let finding = officer.report_finding(NewFinding {
        patrol: long,
        kind: FindingKind::UnlicensedMining,
        location: at,
        depth_m: Some(8),
        surface_elevation_m: None,
        licence: None,
        mineral: Some(Mineral::RareEarth),
        description: "open pit".into(),
        stopped_on_spot: true,
        observed_at: None,
    })?;
    let document = dir.path().join("notice.pdf");
    std::fs::write(&document, b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")?;
    officer.attach(Subject { kind: SubjectKind::Finding, id: finding }, &document)?;
    let short = officer.record_patrol(new_patrol(None, walk(&zone, now - 1_800_000, 3, 2), ""))?;
    let sent = sync::sync(&mut officer).await?;
    ensure!((sent.accepted, sent.rejected) == (4, 0), "{sent:?}");

    same_rows(&officer, "officer", [long, short]).await?;

    // The township inspector pulls both and opens a case on the finding: its phone holds the case
    // (the officer's does not: cases are the township's).
    let mut inspector = phone(&dir.path().join("inspector.db"), &server.url(), "ti-t01-1").await?;
    sync::sync(&mut inspector).await?;
    let case = CaseOpened { source: CaseSource::Finding(finding), township: UnitId::new("T01")?, note: "received".into() };
    inspector.record_office(&Body::CaseOpened(case))?;
    let opened = sync::sync(&mut inspector).await?;
    ensure!(opened.accepted == 1, "{opened:?}");
    same_rows(&inspector, "inspector", [long, short]).await?;

    let rows = phone_rows(&inspector)?;
    let row = |id: EventId| rows.get(&id.to_string()).context("row");
    let (long, short) = (row(long)?, row(short)?);
    assert!(long.high_priority && long.flags.contains("protected_mineral"), "{long:?}");
    assert!(!long.village.is_empty() && !long.township.is_empty() && long.attachments.len() == 64, "{long:?}");
    assert_eq!(long.cases, "received", "{long:?}");
    assert_eq!(short.counts, Some(false), "{short:?}");
    assert!(short.flags.contains("too_short") && short.flags.contains("not_counted"), "{short:?}");
    Ok(())
}
