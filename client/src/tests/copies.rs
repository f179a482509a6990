//! Copied tracks on the phone: the candidates found by the votes of the fingerprint index (the
//! server's definition) find every copy's source and never a copy that comparing every patrol of
//! the zone sharing a kept cell (the phone's definition before issue 12) would not, on generated
//! replicas of honest walks of one route, their copies moved by metres, thinned copies and copied
//! stretches; the one-patrol check and the ledger's pass agree exactly.
//!
//! The index compares at most `COMPARED` candidates, those with the most votes: on these replicas,
//! where every walk follows one lap at one pace, a copy of a copy (two copies of one source) can
//! rank below honest walks and go uncompared, so the exhaustive search may name more copies. The
//! source of each copy is always among the index's.

use proptest::prelude::*;
use proptest::test_runner::{RngAlgorithm, TestRng};
use sync_protocol::body::Body;
use sync_protocol::checks::plausibility::{PlausibilityFlag, TrackFingerprint};
use sync_protocol::ids::{EventId, ZoneId};
use sync_protocol::values::TrackPoint;

use super::fixture::{Chain, DAY, Fixture, HOUR, T0};
use crate::replica::checks::CheckMemo;
use crate::replica::{NewPatrol, PatrolVerdict, ReplicaError, patrol_index};

/// A reproducible stream of numbers from the case's seed (proptest's own generator).
struct Draw(TestRng);

impl Draw {
    fn new(seed: u64) -> Draw {
        let mut bytes = [0u8; 32];
        bytes[..8].copy_from_slice(&seed.to_le_bytes());
        Draw(TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
    }

    /// Uniform in `[-r, r]`.
    fn within(&mut self, r: i64) -> i64 {
        self.0.random_range(-r..=r)
    }

    fn below(&mut self, n: usize) -> usize {
        self.0.random_range(0..n)
    }
}

/// An honest walk of the zone's lap, day `day`: 60 fixes about 11 m apart heading north-east from
/// the zone's centre, each off the lap by up to 4 m, at the walk's own pace of 8 to 12 s a fix,
/// each step off it by up to 2 s. (Walks of one lap at one pace to the tenth of a second line up
/// as a copy does; with more than `COMPARED` of them a copy's source can be outranked, see
/// docs/checks.md.)
fn walk(d: &mut Draw, day: i64) -> Vec<TrackPoint> {
    let start = T0 - 40 * DAY + day * DAY + d.within(600) * 1_000;
    let pace = 10_000 + d.within(2_000);
    let mut t = start;
    (0..60)
        .map(|i| {
            t += pace + d.within(2_000);
            TrackPoint {
                t,
                lon: 1_145_000_000 + i * 700 + d.within(360) as i32,
                lat: 255_000_000 + i * 800 + d.within(360) as i32,
                acc: Some(5),
            }
        })
        .collect()
}

/// `source` shifted by `shift_ms`, each fix moved by up to 1.5 m and its time by up to 0.5 s;
/// every `every`-th fix of `from..to`.
fn copy_of(d: &mut Draw, source: &[TrackPoint], shift_ms: i64, every: usize, from: usize, to: usize) -> Vec<TrackPoint> {
    let mut copy: Vec<TrackPoint> = source[from..to]
        .iter()
        .step_by(every)
        .map(|p| TrackPoint { t: p.t + shift_ms + d.within(500), lon: p.lon + d.within(95) as i32, lat: p.lat + d.within(95) as i32, ..*p })
        .collect();
    copy.sort_by_key(|p| p.t);
    copy
}

/// The verdict as the phone gave it before issue 12: every other patrol of the zone whose kept
/// cells share a value with this one's compared in full, in the order of their ids.
fn verdict_before(f: &Fixture, recorded: &[(EventId, Vec<TrackPoint>)], id: EventId) -> Result<PatrolVerdict, ReplicaError> {
    let owner = f.me().device_id;
    let (event, body) = f.replica.stored(owner, id, "patrol.recorded", ReplicaError::UnknownPatrol)?;
    let Body::PatrolRecorded(p) = body else { return Err(ReplicaError::UnknownPatrol(id)) };
    let print = TrackFingerprint::of(&p.track);
    let mut candidates: Vec<(EventId, &[TrackPoint])> = recorded
        .iter()
        .filter(|(other, track)| *other != id && print.as_ref().zip(TrackFingerprint::of(track)).is_some_and(|(a, b)| a.shares_any(&b)))
        .map(|(other, track)| (*other, track.as_slice()))
        .collect();
    candidates.sort_by_key(|(other, _)| *other);
    let previous = patrol_index::device_previous_max_t(&f.replica.conn, owner, event.device_id, event.seq)?;
    let officer_patrols = patrol_index::overlapping(&f.replica.conn, owner, &event.author, p.started_at, p.ended_at)?;
    f.replica.verdict_with(&event, &p, &f.replica.zone_history(owner, &event.author)?, &officer_patrols, previous, &candidates)
}

/// The patrols a verdict names as copied, in its order.
fn copied_from(v: &PatrolVerdict) -> Vec<EventId> {
    v.plausibility
        .iter()
        .filter_map(|f| match f {
            PlausibilityFlag::DuplicateTrack { of, .. } => Some(*of),
            _ => None,
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    #[test]
    fn the_votes_find_each_copys_source_and_no_copy_comparing_every_sharing_patrol_would_not(seed in any::<u64>()) {
        let mut d = Draw::new(seed);
        let mut f = Fixture::new();
        f.assign_zone(&mut Chain::new("server", T0 - 60 * DAY));
        let zone = ZoneId::new("Z-T01-V01").expect("zone");
        let mut tracks: Vec<Vec<TrackPoint>> = (0..24).map(|day| walk(&mut d, day)).collect();
        // Per track, the walk it copies.
        let mut sources: Vec<Option<usize>> = vec![None; 24];
        for n in 0..10 {
            let from_walk = d.below(24);
            sources.push(Some(from_walk));
            let source = tracks[from_walk].clone();
            let shift = (1 + d.below(9) as i64) * DAY + d.within(6) * HOUR;
            let copy = match n % 3 {
                0 => copy_of(&mut d, &source, shift, 1, 0, 60),
                1 => copy_of(&mut d, &source, shift, 2, 0, 60),
                _ => {
                    let (from, to) = (10 + d.below(10), 45 + d.below(15));
                    copy_of(&mut d, &source, shift, 1, from, to)
                }
            };
            tracks.push(copy);
        }
        let mut recorded = Vec::new();
        for track in tracks {
            let new = NewPatrol { track: track.clone(), zone: Some(zone.clone()), summary: "walk".into(), ..NewPatrol::default() };
            recorded.push((f.replica.record_patrol(new).expect("record"), track));
        }
        let owner = f.me().device_id;
        let mut memo = CheckMemo::default();
        for ((id, _), source) in recorded.iter().zip(&sources) {
            let before = verdict_before(&f, &recorded, *id).expect("before");
            let now = f.replica.check_patrol(*id).expect("check");
            let (found, found_before) = (copied_from(&now), copied_from(&before));
            prop_assert!(found.iter().all(|of| found_before.contains(of)), "patrol {}: {:?} not all in {:?}", id, found, found_before);
            if found == found_before {
                prop_assert_eq!(&now, &before, "patrol {}", id);
            }
            if let Some(walk) = source {
                prop_assert!(found.contains(&recorded[*walk].0), "copy {} of walk {}: found {:?}", id, walk, found);
            }
            let (event, body) = f.replica.stored(owner, *id, "patrol.recorded", ReplicaError::UnknownPatrol).expect("stored");
            let Body::PatrolRecorded(p) = body else { panic!("a patrol") };
            let history = f.replica.zone_history(owner, &event.author).expect("history");
            let in_pass = f.replica.verdict_in(owner, &event, &p, &history, &mut memo).expect("ledger's check");
            prop_assert_eq!(&in_pass, &now, "patrol {} in the ledger's pass", id);
        }
    }
}
