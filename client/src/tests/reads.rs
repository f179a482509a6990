//! Recording a patrol and printing its verdict reads by index, never the whole replica: every
//! query that reading a part, a patrol's checks and a finding's licence check run is an index
//! search in SQLite's plan, on the schema as migrated, narrowed by more than the identity (every
//! row of a phone with one officer has the same `owner`, so a search by `owner` alone reads all);
//! and the SQLite steps that recording a patrol and checking it take do not grow when the replica
//! holds hundreds more events of other officers and zones.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::types::Null;
use sync_protocol::body::{Body, PatrolRecorded, PatrolResult};
use sync_protocol::checks::plausibility::PlausibilityFlag;
use sync_protocol::event::Event;
use sync_protocol::ids::ZoneId;
use sync_protocol::values::TrackPoint;

use super::fixture::{Chain, Fixture, HOUR, T0, track, village};
use crate::replica::{NewPatrol, events, parts, patrol_index};
use sync_protocol::ids::UserId;

/// The plan SQLite makes for `sql`, one line per step.
fn plan(f: &Fixture, sql: &str) -> Vec<String> {
    let mut stmt = f.replica.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).expect("plan");
    let nulls = std::iter::repeat_n(Null, stmt.parameter_count());
    let rows = stmt.query_map(rusqlite::params_from_iter(nulls), |r| r.get::<_, String>(3)).expect("rows");
    rows.map(|r| r.expect("detail")).collect()
}

#[test]
fn every_query_of_a_verdict_is_an_index_search() {
    let f = Fixture::new();
    let queries = parts::QUERIES.iter().chain(&events::QUERIES).chain(&patrol_index::QUERIES);
    for sql in queries {
        let steps = plan(&f, sql);
        assert!(steps.iter().any(|s| s.starts_with("SEARCH")), "{sql}: {steps:?}");
        assert!(!steps.iter().any(|s| s.starts_with("SCAN")), "{sql} scans a table: {steps:?}");
        for search in steps.iter().filter(|s| s.starts_with("SEARCH")) {
            assert!(search.contains("(owner=? AND "), "{sql} reads every row of the identity: {search}");
        }
    }
}

/// The SQLite virtual-machine steps `run` makes on the replica's connection: every row a query
/// visits costs steps; a search by index costs the same whatever the table's size.
fn steps<T>(f: &mut Fixture, run: impl FnOnce(&mut Fixture) -> T) -> (T, u64) {
    let counted = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&counted);
    f.replica.conn.progress_handler(
        1,
        Some(move || {
            counter.fetch_add(1, Ordering::Relaxed);
            false
        }),
    );
    let out = run(f);
    f.replica.conn.progress_handler(1, None::<fn() -> bool>);
    (out, counted.load(Ordering::Relaxed))
}

/// Records a patrol of the active officer in their zone starting at `start`, on a track moved
/// `east` east, then checks it: the steps each took.
fn record_and_check(f: &mut Fixture, start: i64, east: i32) -> (u64, u64) {
    let track = track(start, 5).into_iter().map(|p| TrackPoint { lon: p.lon + east, ..p }).collect();
    let new = NewPatrol { track, summary: "walked the river".into(), ..NewPatrol::default() };
    let (id, recorded) = steps(f, |f| f.replica.record_patrol(new).expect("record"));
    let (verdict, checked) = steps(f, |f| f.replica.check_patrol(id).expect("verdict"));
    // Short, but neither a copy, nor overlapping, nor before the device's previous patrol.
    assert!(verdict.plausibility.iter().all(|flag| matches!(flag, PlausibilityFlag::TooShort { .. })), "{verdict:?}");
    (recorded, checked)
}

/// `n` patrols of `officer` in zone `Z-T01-V02`, an hour apart, on tracks of 5 fixes.
fn others(officer: &str, n: usize) -> Vec<Event> {
    let mut chain = Chain::new(officer, T0 - 900 * HOUR);
    (0..n)
        .map(|i| {
            let start = T0 - 800 * HOUR + i as i64 * HOUR;
            let body = PatrolRecorded {
                zone: ZoneId::new("Z-T01-V02").expect("zone"),
                started_at: start,
                ended_at: start + 4 * 60_000,
                track: track(start, 5),
                summary: format!("patrol {i}"),
                result: PatrolResult::NothingFound,
                mock_fixes: 0,
            };
            chain.next(Body::PatrolRecorded(body))
        })
        .collect()
}

#[test]
fn recording_a_patrol_and_its_verdict_take_the_same_steps_on_a_fuller_replica() {
    let mut f = Fixture::new();
    let mut server = Chain::new("server", T0 - 1000 * HOUR);
    f.assign_zone(&mut server);
    let (recorded, checked) = record_and_check(&mut f, T0 - 3 * HOUR, 0);

    let mut cursor = 2;
    for officer in ["vo-t01-v02", "vo-t01-v03", "vo-t01-v04"] {
        let events = others(officer, 200);
        cursor += events.len() as u64;
        f.pull(village(), events, cursor).expect("pull");
    }
    let held = f.replica.event_count().expect("count");
    assert!(held > 600, "{held} events held");
    let (recorded_full, checked_full) = record_and_check(&mut f, T0 - 2 * HOUR, 30_000);
    eprintln!("recording: {recorded} steps, then {recorded_full}; the verdict: {checked}, then {checked_full} ({held} events held)");

    // A few steps of slack: the second patrol's checks compare it with the first (an earlier
    // patrol of the same officer, device and zone). Reading the 600 other patrols would take
    // thousands.
    assert!(recorded_full <= recorded + 50, "recording took {recorded} steps, then {recorded_full} with {held} events held");
    assert!(checked_full <= checked + 200, "the verdict took {checked} steps, then {checked_full} with {held} events held");
}

#[test]
fn an_early_patrols_overlap_check_reads_a_bounded_range_of_the_officers_patrols() {
    let mut f = Fixture::new();
    let officer = UserId::new("vo-t01-v02").expect("officer");
    let me = f.replica.require_active().expect("identity").device_id;
    let events = others(officer.as_str(), 200);
    let first = |events: &[Event]| match Body::parse(&events[0].kind, &events[0].body) {
        Ok(Body::PatrolRecorded(p)) => (p.started_at, p.ended_at),
        other => panic!("{other:?}"),
    };
    let (from, to) = first(&events);
    f.pull(village(), events[..50].to_vec(), 52).expect("pull");
    patrol_index::overlapping(&f.replica.conn, me, &officer, from, to).expect("prepared");
    let (met, fewer) = steps(&mut f, |f| patrol_index::overlapping(&f.replica.conn, me, &officer, from, to).expect("read"));
    assert_eq!(met.len(), 1, "{met:?}");
    f.pull(village(), events[50..].to_vec(), 202).expect("pull");
    let (met, more) = steps(&mut f, |f| patrol_index::overlapping(&f.replica.conn, me, &officer, from, to).expect("read"));
    assert_eq!(met.len(), 1, "{met:?}");
    // The first patrol's check reads the patrols ending within a day of it (24 an hour apart),
    // not the 150 later ones: the same steps with 50 patrols held as with 200.
    assert!(more <= fewer + 20, "{fewer} steps with 50 patrols held, {more} with 200");
}
