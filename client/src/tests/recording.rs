//! Recording offline: one transaction per event, a valid chain, the projection kept by the
//! protocol's fold, and bad input refused with nothing written.

use sync_protocol::body::{FindingKind, Mineral, PatrolResult};
use sync_protocol::crypto::Hash;
use sync_protocol::fold::Projection;
use sync_protocol::ids::ZoneId;
use sync_protocol::values::{Coord, IsoWeek};

use super::fixture::{Chain, DAY, Fixture, HOUR, T0, track};
use crate::replica::{NewFinding, NewPatrol, OutboxState, ReplicaError};

fn finding(patrol: sync_protocol::ids::EventId) -> NewFinding {
    NewFinding {
        patrol,
        kind: FindingKind::UnlicensedMining,
        location: Coord::from_degrees(114.5001, 25.5001).expect("coord"),
        depth_m: Some(12),
        surface_elevation_m: None,
        licence: None,
        mineral: Some(Mineral::RareEarth),
        description: "fresh spoil heap by the stream".into(),
        stopped_on_spot: true,
        // Within `Fixture::patrol`'s walk.
        observed_at: Some(T0 - 2 * HOUR + 60_000),
    }
}

#[test]
fn recording_works_offline_with_an_expired_token_and_chains_the_events() {
    let mut f = Fixture::new();
    f.assign_zone(&mut Chain::new("server", T0 - 40 * DAY));
    f.clock.advance(3 * DAY); // days in the mountains: the token expired long ago
    assert!(!f.me().has_valid_token(f.clock_now()));

    let patrol = f.patrol("walked the river bank");
    let found = f.replica.report_finding(finding(patrol)).expect("finding");
    let zero = f.replica.file_zero_report(Some("2025-W47".parse().expect("week")), String::new()).expect("zero report");

    let me = f.me();
    let own = f.own_events();
    // The patrol was recorded as "nothing found": its finding corrects it (an amendment, seq 3).
    assert_eq!(own.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1, 2, 3, 4]);
    assert_eq!(
        own.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(),
        ["patrol.recorded", "finding.reported", "patrol.amended", "zero_report.filed"]
    );
    assert_eq!([own[0].id, own[1].id, own[3].id], [patrol, found, zero]);
    assert_eq!(own[0].prev, Hash::ZERO);
    for pair in own.windows(2) {
        assert_eq!(pair[1].prev, pair[0].hash, "each event names the one before");
        assert!(pair[1].hlc > pair[0].hlc);
    }
    for e in &own {
        e.check_integrity(&me.key.public()).expect("sealed with the identity's key");
        assert_eq!(e.author, me.user);
        assert_eq!(f.replica.outbox_state(e.id).expect("state"), Some(OutboxState::Pending));
    }
    assert_eq!((me.next_seq, me.head, me.hlc), (5, own[3].hash, own[3].hlc));

    let p = f.replica.projection().expect("projection");
    assert_eq!(p.patrols[&patrol].zone.as_str(), "Z-T01-V01", "default zone: the current assignment");
    assert_eq!(p.patrols[&patrol].result, PatrolResult::Findings, "corrected by its finding");
    assert_eq!(p.patrols[&patrol].findings, vec![found]);
    assert!(p.findings[&found].high_priority, "rare earth is a protected mineral");
    assert_eq!(p.zero_reports.len(), 1);
    let status = f.replica.status().expect("status");
    assert_eq!(status.pending, 4);
    assert_eq!(status.oldest_pending_age_ms, Some(0));
    assert!(!status.token_valid);
}

#[test]
fn the_stored_projection_is_the_protocol_fold_of_every_event_held() {
    let mut f = Fixture::new();
    let mut server = Chain::new("server", T0 - 40 * DAY);
    f.assign_zone(&mut server);
    let a = f.patrol("first");
    f.replica.amend_patrol(a, None, Some(PatrolResult::Findings), "found a pit later".into()).expect("amend");
    f.replica.report_finding(finding(a)).expect("finding");
    // Another officer's patrol with a clock far behind ours: sorts before, forcing a re-fold.
    let mut other = Chain::new("vo-t01-v02", T0 - 10 * DAY);
    f.pull(super::fixture::village(), vec![other.patrol("neighbour")], 3).expect("pull");
    f.patrol("second");

    let all = crate::replica::events::all(&f.replica.conn, f.me().device_id).expect("events");
    let mut expected = Projection::fold(&all);
    let stored = f.replica.projection().expect("projection");
    expected.last_key = stored.last_key;
    assert_eq!(stored, expected);
    assert_eq!(stored.patrols.len(), 3);

    let ledger = f.replica.ledger().expect("ledger");
    assert_eq!(ledger.patrols.len(), 3);
    let first = ledger.patrols.iter().find(|p| p.row.patrol == a.to_string()).expect("first patrol");
    assert_eq!((first.row.result.as_str(), first.amendments.len(), first.findings.len()), ("findings", 1, 1));
    assert_eq!((first.sync.as_str(), first.track_points), ("pending", 5));
    assert!(first.row.distance_m > 500 && first.row.distance_m < 700, "{} m", first.row.distance_m);
    let neighbour = ledger.patrols.iter().find(|p| p.row.officer == "vo-t01-v02").expect("pulled patrol");
    assert_eq!(neighbour.sync, "pulled");
}

#[test]
fn bad_input_is_refused_and_leaves_the_replica_unchanged() {
    let mut f = Fixture::new();
    let before = (f.me().next_seq, f.replica.event_count().expect("count"));
    // No assignment pulled yet and no --zone: no zone to patrol.
    let err = f.replica.record_patrol(NewPatrol { track: track(T0, 3), ..NewPatrol::default() }).expect_err("no zone");
    assert!(matches!(err, ReplicaError::NoZone(_)), "{err}");
    let zone = Some(ZoneId::new("Z-T01-V01").expect("zone"));
    let too_long = NewPatrol { track: track(T0, 3), zone: zone.clone(), summary: "x".repeat(4_001), ..NewPatrol::default() };
    let err = f.replica.record_patrol(too_long).expect_err("summary too long");
    assert!(matches!(err, ReplicaError::Invalid { what: "patrol", .. }), "{err}");
    let backwards = NewPatrol { track: track(T0, 3), zone: zone.clone(), started_at: Some(T0 + HOUR), ..NewPatrol::default() };
    assert!(f.replica.record_patrol(backwards).is_err(), "ended before started");
    assert!(f.replica.record_patrol(NewPatrol { zone, ..NewPatrol::default() }).is_err(), "no points, no times");
    let unknown = sync_protocol::ids::EventId(uuid::Uuid::now_v7());
    assert!(matches!(f.replica.report_finding(finding(unknown)), Err(ReplicaError::UnknownPatrol(_))));
    assert!(f.replica.amend_patrol(unknown, Some("x".into()), None, "why".into()).is_err());
    assert_eq!((f.me().next_seq, f.replica.event_count().expect("count")), before);
    assert_eq!(f.replica.status().expect("status").pending, 0);
}

#[test]
fn a_zero_report_speaks_for_a_week_begun_with_a_zone_and_a_findings_time_lies_in_its_patrol() {
    let mut f = Fixture::new();
    let before = (f.me().next_seq, f.replica.event_count().expect("count"));
    // No zone assigned yet: a zero report names none, so none is filed.
    let err = f.replica.file_zero_report(None, String::new()).expect_err("no zone");
    assert!(matches!(err, ReplicaError::NoZoneInWeek { .. }), "{err}");
    assert!(err.to_string().contains(&IsoWeek::of_ms(T0).to_string()), "{err}");
    f.assign_zone(&mut Chain::new("server", T0 - 40 * DAY));
    let next_week = IsoWeek::of_ms(T0 + 7 * DAY);
    let err = f.replica.file_zero_report(Some(next_week), String::new()).expect_err("a week to come");
    assert!(matches!(err, ReplicaError::WeekNotBegun { .. }), "{err}");
    let counted = (f.me().next_seq, f.replica.event_count().expect("count"));
    assert_eq!(counted.0, before.0, "nothing recorded");

    // A finding's stated time lies within its patrol; without one it takes the typing time.
    let patrol = f.patrol("walked the river bank");
    let after = (f.me().next_seq, f.replica.event_count().expect("count"));
    let err = f.replica.report_finding(NewFinding { observed_at: Some(T0), ..finding(patrol) }).expect_err("a time after it");
    assert!(matches!(err, ReplicaError::Invalid { what: "finding", .. }), "{err}");
    assert_eq!((f.me().next_seq, f.replica.event_count().expect("count")), after, "nothing recorded");
    let typed = f.replica.report_finding(NewFinding { observed_at: None, ..finding(patrol) }).expect("typed after the patrol");
    assert_eq!(f.replica.projection().expect("projection").findings[&typed].observed_at, T0);
}

#[test]
fn an_explicit_zone_overrides_the_assignment_and_zero_reports_default_to_this_week() {
    let mut f = Fixture::new();
    f.assign_zone(&mut Chain::new("server", T0 - 40 * DAY));
    let zone = ZoneId::new("Z-OTHER").expect("zone");
    let id = f.replica.record_patrol(NewPatrol { track: track(T0, 2), zone: Some(zone.clone()), ..NewPatrol::default() }).expect("patrol");
    assert_eq!(f.replica.projection().expect("projection").patrols[&id].zone, zone);
    f.replica.file_zero_report(None, "quiet week".into()).expect("zero report");
    let ledger = f.replica.ledger().expect("ledger");
    assert_eq!(ledger.zero_reports[0].week, IsoWeek::of_ms(T0).to_string());
    assert_eq!(ledger.zero_reports[0].zone.as_deref(), Some("Z-T01-V01"));
}

#[test]
fn nobody_logged_in_means_nothing_can_be_recorded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut replica = crate::replica::Replica::open(dir.path().join("empty.db")).expect("open");
    assert!(matches!(replica.file_zero_report(None, String::new()), Err(ReplicaError::NoIdentity)));
    assert!(matches!(replica.status(), Err(ReplicaError::NoIdentity)));
}

#[test]
fn a_step_the_role_never_takes_is_refused_offline_and_nothing_is_recorded() {
    let mut f = Fixture::new();
    f.login_as("cm-1", sync_protocol::body::Role::Commissioner, 1);
    let before = (f.me().next_seq, f.replica.event_count().expect("count"));
    let zone = Some(ZoneId::new("Z-T01-V01").expect("zone"));
    let err = f.replica.record_patrol(NewPatrol { track: track(T0, 3), zone, ..NewPatrol::default() }).expect_err("read-only");
    assert!(matches!(err, ReplicaError::NotForRole(_)) && err.to_string().contains("a commissioner's access is read-only"), "{err}");
    f.login_as("ti-t01-1", sync_protocol::body::Role::TownshipInspector, 1);
    let err = f.replica.file_zero_report(None, String::new()).expect_err("an inspector files no zero report");
    assert!(err.to_string().contains("a township_inspector does not record zero_report.filed"), "{err}");
    assert_eq!((f.me().next_seq, f.replica.event_count().expect("count")), (1, before.1), "nothing recorded");
    // Nor has an inspector a week of patrols to count.
    let err = f.replica.my_week(None).expect_err("no quota");
    assert!(matches!(err, ReplicaError::NoQuota { .. }) && err.to_string().contains("ti-t01-1 is a township_inspector"), "{err}");
}
