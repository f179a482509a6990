//! Copied tracks on the phone: the candidates found by the votes of the fingerprint index (the
//! server's definition) give the same verdicts as comparing every patrol of the zone that shares a
//! kept cell (the phone's definition before issue 12), on generated replicas of honest walks of one
//! route, their copies moved by metres, thinned copies and copied stretches; the one-patrol check
//! and the ledger's pass agree.

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

/// An honest walk of the zone's lap, day `day`: 60 fixes 10 s apart and about 11 m apart heading
/// north-east from the zone's centre, each off the lap by up to 4 m, the pace off by up to 2 s.
fn walk(d: &mut Draw, day: i64) -> Vec<TrackPoint> {
    let start = T0 - 40 * DAY + day * DAY + d.within(600) * 1_000;
    let mut t = start;
    (0..60)
        .map(|i| {
            t += 10_000 + d.within(2_000);
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

fn duplicates(v: &PatrolVerdict) -> usize {
    v.plausibility.iter().filter(|f| matches!(f, PlausibilityFlag::DuplicateTrack { .. })).count()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4))]

    #[test]
    fn the_votes_find_the_copies_that_comparing_every_sharing_patrol_found(seed in any::<u64>()) {
        let mut d = Draw::new(seed);
        let mut f = Fixture::new();
        f.assign_zone(&mut Chain::new("server", T0 - 60 * DAY));
        let zone = ZoneId::new("Z-T01-V01").expect("zone");
        let mut tracks: Vec<Vec<TrackPoint>> = (0..24).map(|day| walk(&mut d, day)).collect();
        for n in 0..10 {
            let source = tracks[d.below(24)].clone();
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
        let mut flagged = Vec::new();
        for (id, _) in &recorded {
            let before = verdict_before(&f, &recorded, *id).expect("before");
            let now = f.replica.check_patrol(*id).expect("check");
            prop_assert_eq!(&now, &before, "patrol {}", id);
            let (event, body) = f.replica.stored(owner, *id, "patrol.recorded", ReplicaError::UnknownPatrol).expect("stored");
            let Body::PatrolRecorded(p) = body else { panic!("a patrol") };
            let history = f.replica.zone_history(owner, &event.author).expect("history");
            let in_pass = f.replica.verdict_in(owner, &event, &p, &history, &mut memo).expect("ledger's check");
            prop_assert_eq!(&in_pass, &before, "patrol {} in the ledger's pass", id);
            flagged.push(duplicates(&now));
        }
        // Every copy is flagged, so the agreement is not that of two searches finding nothing.
        prop_assert!(flagged[24..].iter().all(|n| *n > 0), "copied-track flags of the copies: {:?}", &flagged[24..]);
    }
}
