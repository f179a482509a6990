//! The device library (`patrolsync_client`) against the application in-process: login, pulling
//! the officer's scope, recording offline, syncing, rejections that do not block, a bad token,
//! and two officers on one phone.

use std::path::PathBuf;

use patrolsync_client::replica::{NewFinding, NewPatrol, OutboxState, Replica};
use patrolsync_client::sync;
use patrolsync_tests::DEMO_PASSWORD;
use patrolsync_tests::app::spawn_app;
use sync_protocol::body::{FindingKind, Mineral};
use sync_protocol::ids::ZoneId;
use sync_protocol::values::{Coord, TrackPoint};

fn phone(dir: &tempfile::TempDir) -> (PathBuf, Replica) {
    let path = dir.path().join("phone.db");
    let replica = Replica::open(&path).expect("replica");
    (path, replica)
}

/// A walk of `n` fixes a minute apart near the middle of the officer's zone, ending an hour ago.
fn walk(replica: &Replica, zone: &ZoneId, n: i64) -> Vec<TrackPoint> {
    let p = replica.projection().expect("projection");
    let shell = &p.zones[zone].boundary.0[0];
    let k = (shell.len() - 1) as i64;
    let lon = shell[..shell.len() - 1].iter().map(|c| i64::from(c[0])).sum::<i64>() / k;
    let lat = shell[..shell.len() - 1].iter().map(|c| i64::from(c[1])).sum::<i64>() / k;
    let start = replica.now_ms() - 3_600_000 - n * 60_000;
    (0..n).map(|i| TrackPoint { t: start + i * 60_000, lon: (lon + i * 200) as i32, lat: (lat + i * 200) as i32, acc: Some(6) }).collect()
}

#[tokio::test]
async fn an_officer_logs_in_records_offline_and_syncs() {
    let server = spawn_app().expect("the application starts");
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, mut replica) = phone(&dir);
    let me = sync::login(&mut replica, &server.url(), "vo-t01-v01", DEMO_PASSWORD).await.expect("login");
    let first = sync::sync(&mut replica).await.expect("first sync pulls the scope");
    assert!(first.pulled > 0, "{first:?}");
    let zone = replica.assigned_zone(replica.now_ms()).expect("the demo assigns a zone");

    let patrol = replica
        .record_patrol(NewPatrol { track: walk(&replica, &zone, 20), summary: "river bank".into(), findings: true, ..Default::default() })
        .expect("patrol");
    let track = walk(&replica, &zone, 1);
    let location = Coord { lon: track[0].lon, lat: track[0].lat };
    let finding = NewFinding {
        patrol,
        kind: FindingKind::UnlicensedMining,
        location,
        depth_m: Some(8),
        surface_elevation_m: None,
        licence: None,
        mineral: Some(Mineral::RareEarth),
        description: "open pit with an excavator".into(),
        stopped_on_spot: true,
        observed_at: None,
    };
    let found = replica.report_finding(finding).expect("finding");
    replica.file_zero_report(None, String::new()).expect("zero report");
    // A patrol in a zone never assigned to this officer: rejected, and it must not block the rest.
    let other_zone = ZoneId::new("Z-T05-V01").expect("zone");
    let wrong =
        replica.record_patrol(NewPatrol { track: walk(&replica, &zone, 3), zone: Some(other_zone), ..Default::default() }).expect("patrol");
    let after = replica.record_patrol(NewPatrol { track: walk(&replica, &zone, 3), ..Default::default() }).expect("patrol");

    let report = sync::sync(&mut replica).await.expect("sync");
    assert_eq!((report.accepted, report.rejected, report.pending), (4, 1, 0), "{report:?}");
    for id in [patrol, found, after] {
        assert_eq!(replica.outbox_state(id).expect("state"), Some(OutboxState::Sent));
    }
    assert_eq!(replica.outbox_state(wrong).expect("state"), Some(OutboxState::Rejected));
    let rejected = replica.rejected().expect("rejected");
    assert_eq!((rejected.len(), rejected[0].reason.as_str()), (1, "not_allowed"));
    let status = replica.status().expect("status");
    assert!(status.last_sync_at.is_some() && status.last_error.is_none(), "{status:?}");
    assert_eq!(status.device_id, me.device_id.to_string());

    let again = sync::sync(&mut replica).await.expect("sync again");
    assert_eq!((again.accepted, again.pulled, again.pending), (0, 0, 0), "nothing new: {again:?}");
    let ledger = replica.ledger().expect("ledger");
    let mine = ledger.patrols.iter().find(|p| p.row.patrol == patrol.to_string()).expect("patrol in the ledger");
    assert_eq!((mine.sync.as_str(), mine.findings.len()), ("sent", 1));
}

#[tokio::test]
async fn a_refused_token_needs_a_login_and_the_same_identity_then_sends_the_outbox() {
    let server = spawn_app().expect("the application starts");
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, mut replica) = phone(&dir);
    let me = sync::login(&mut replica, &server.url(), "vo-t01-v01", DEMO_PASSWORD).await.expect("login");
    sync::sync(&mut replica).await.expect("pull the scope");
    let zone = replica.assigned_zone(replica.now_ms()).expect("zone");
    let patrol = replica.record_patrol(NewPatrol { track: walk(&replica, &zone, 5), ..Default::default() }).expect("patrol");

    // The server no longer takes the token (say, its key rotated while the phone was offline).
    let raw = rusqlite::Connection::open(&path).expect("open");
    raw.execute("UPDATE identities SET access_token = 'eyJhbGciOiJIUzI1NiJ9.e30.bogus'", []).expect("spoil the token");
    let err = sync::sync(&mut replica).await.expect_err("401");
    assert!(err.needs_login(), "{err}");
    assert_eq!(replica.outbox_state(patrol).expect("state"), Some(OutboxState::Pending));

    let again = sync::login(&mut replica, &server.url(), "vo-t01-v01", DEMO_PASSWORD).await.expect("login again");
    assert_eq!((again.device_id, again.key.public()), (me.device_id, me.key.public()));
    let report = sync::sync(&mut replica).await.expect("sync");
    assert_eq!((report.accepted, report.pending), (1, 0));
}

#[tokio::test]
async fn two_officers_share_a_phone_without_touching_each_others_outbox() {
    let server = spawn_app().expect("the application starts");
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, mut replica) = phone(&dir);
    sync::login(&mut replica, &server.url(), "vo-t01-v01", DEMO_PASSWORD).await.expect("login");
    sync::sync(&mut replica).await.expect("pull");
    let zone = replica.assigned_zone(replica.now_ms()).expect("zone");
    let first = replica.record_patrol(NewPatrol { track: walk(&replica, &zone, 5), ..Default::default() }).expect("patrol");

    let second = sync::login(&mut replica, &server.url(), "vo-t01-v03", DEMO_PASSWORD).await.expect("second officer");
    let report = sync::sync(&mut replica).await.expect("second officer syncs");
    assert_eq!(report.accepted, 0);
    assert!(replica.ledger().expect("ledger").patrols.iter().all(|p| p.row.officer == second.user.as_str()));
    assert_eq!(replica.status().expect("status").others[0].pending, 1, "the first officer's event waits");

    sync::login(&mut replica, &server.url(), "vo-t01-v01", DEMO_PASSWORD).await.expect("first officer again");
    let report = sync::sync(&mut replica).await.expect("sync");
    assert_eq!((report.accepted, report.pending), (1, 0));
    assert_eq!(replica.outbox_state(first).expect("state"), Some(OutboxState::Sent));
}
