//! Overlapping patrols on the phone: the ledger's pass reads each officer's patrol times once
//! (`OfficerTimes`) and answers, for every patrol, the patrols the per-patrol query
//! (`patrol_index::overlapping`) reads, in its order, on generated times that overlap, tie and
//! outlast a day; and the one-patrol check and the ledger's pass give the same verdicts.

use proptest::prelude::*;
use sync_protocol::body::Body;
use sync_protocol::checks::plausibility::PlausibilityFlag;
use sync_protocol::ids::{UserId, ZoneId};
use sync_protocol::values::TrackPoint;
use uuid::Uuid;

use super::fixture::{Chain, DAY, Fixture, HOUR, T0};
use crate::replica::checks::CheckMemo;
use crate::replica::patrol_index::{self, OfficerTimes};
use crate::replica::{NewPatrol, ReplicaError};

/// A patrol's times: its start (in hours from a fortnight back, so that ends tie) and how long it
/// lasts, from nothing to three days, a day exactly and a millisecond past it among them.
fn times() -> impl Strategy<Value = (i64, i64)> {
    let lasting = prop_oneof![Just(0), (1i64..12).prop_map(|h| h * HOUR), Just(DAY), Just(DAY + 1), (1i64..72).prop_map(|h| h * HOUR)];
    ((0i64..14 * 24).prop_map(|h| T0 - 14 * DAY + h * HOUR), lasting)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// For each stored patrol's own span and for spans drawn apart, the officer's times read once
    /// answer what the query answers: the same patrols in the same order.
    #[test]
    fn the_officer_times_answer_as_the_query(
        patrols in proptest::collection::vec((times(), any::<bool>(), any::<u128>()), 0..40),
        probes in proptest::collection::vec(times(), 0..10),
    ) {
        let f = Fixture::new();
        let owner = f.me().device_id;
        let officers = [UserId::new("vo-t01-v01").expect("user"), UserId::new("vo-t01-v02").expect("user")];
        for (seq, ((started_at, lasting), second, id)) in patrols.iter().enumerate() {
            f.replica.conn.execute(
                "INSERT OR IGNORE INTO patrol_index (owner, event_id, officer, device_id, seq, zone, started_at, ended_at, latest_t) \
                 VALUES (?1, ?2, ?3, ?1, ?4, 'Z-T01-V01', ?5, ?6, ?6)",
                rusqlite::params![owner.to_string(), Uuid::from_u128(*id).to_string(), officers[usize::from(*second)].as_str(), seq as i64 + 1, started_at, started_at + lasting],
            ).expect("index row");
        }
        let spans = patrols.iter().map(|(t, ..)| *t).chain(probes);
        for officer in &officers {
            let held = OfficerTimes::of(patrol_index::officer_times(&f.replica.conn, owner, officer).expect("times"));
            for (from, lasting) in spans.clone() {
                let to = from + lasting;
                let query = patrol_index::overlapping(&f.replica.conn, owner, officer, from, to).expect("query");
                prop_assert_eq!(held.meeting(from, to), query, "{} from {} to {}", officer, from, to);
            }
        }
    }

    /// Patrols of one officer recorded over each other (some longer than a day): each one's
    /// verdict from `check_patrol` is the verdict of the ledger's pass.
    #[test]
    fn the_ledger_flags_the_overlaps_that_check_patrol_flags(patrols in proptest::collection::vec(times(), 2..24)) {
        let mut f = Fixture::new();
        f.assign_zone(&mut Chain::new("server", T0 - 60 * DAY));
        let zone = ZoneId::new("Z-T01-V01").expect("zone");
        let mut ids = Vec::new();
        for (started_at, lasting) in &patrols {
            let ended_at = started_at + lasting;
            let track = [*started_at, started_at + lasting / 2, ended_at]
                .map(|t| TrackPoint { t, lon: 1_145_000_000, lat: 255_000_000, acc: Some(5) });
            let new = NewPatrol {
                track: track.to_vec(),
                zone: Some(zone.clone()),
                started_at: Some(*started_at),
                ended_at: Some(ended_at),
                summary: "walk".into(),
                ..NewPatrol::default()
            };
            ids.push(f.replica.record_patrol(new).expect("record"));
        }
        let owner = f.me().device_id;
        let mut memo = CheckMemo::default();
        let mut overlaps = 0;
        for id in &ids {
            let alone = f.replica.check_patrol(*id).expect("check");
            let (event, body) = f.replica.stored(owner, *id, "patrol.recorded", ReplicaError::UnknownPatrol).expect("stored");
            let Body::PatrolRecorded(p) = body else { panic!("a patrol") };
            let history = f.replica.zone_history(owner, &event.author).expect("history");
            let in_pass = f.replica.verdict_in(owner, &event, &p, &history, &mut memo).expect("ledger's check");
            prop_assert_eq!(&in_pass, &alone, "patrol {}", id);
            overlaps += alone.plausibility.iter().filter(|f| matches!(f, PlausibilityFlag::OverlappingPatrol { .. })).count();
        }
        // Patrols that share more than the slack are flagged, so the agreement is not that of
        // two answers finding nothing.
        let shared = |(a, la): (i64, i64), (b, lb): (i64, i64)| (a + la).min(b + lb) - a.max(b) > 60_000;
        let any_shared = patrols.iter().enumerate().any(|(i, a)| patrols[i + 1..].iter().any(|b| shared(*a, *b)));
        prop_assert_eq!(overlaps > 0, any_shared);
    }
}
