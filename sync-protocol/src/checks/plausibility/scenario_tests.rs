//! A generated month of patrols whose truth the test knows: clean walks with GPS noise, offline
//! phones and back-to-back patrols, plus one of each kind of tampering. Checked in arrival order
//! as the server would, the flags must equal the truth exactly.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::*;

/// Monday 2026-11-02 00:00 county time.
const WEEK1: i64 = 1_793_548_800_000;
const MIN: i64 = 60_000;
const DAY: i64 = 1_440 * MIN;
const M_PER_DEG: f64 = 111_195.0;
const OFFICERS: u64 = 8;

/// One officer's route: true positions every 10 m, in degrees.
struct Route(Vec<(f64, f64)>);

impl Route {
    fn new(officer: u64) -> Route {
        let mut rng = ChaCha8Rng::seed_from_u64(1_000 + officer);
        let (mut lon, mut lat) = (114.35 + 0.04 * (officer % 4) as f64, 25.38 + 0.06 * (officer / 4) as f64);
        let mut heading: f64 = rng.gen_range(0.0..std::f64::consts::TAU);
        let mut points = Vec::with_capacity(1_200);
        for _ in 0..1_200 {
            points.push((lon, lat));
            heading += rng.gen_range(-0.25..0.25);
            lat += 10.0 * heading.cos() / M_PER_DEG;
            lon += 10.0 * heading.sin() / (M_PER_DEG * lat.to_radians().cos());
        }
        Route(points)
    }

    /// The true position `metres` along the route (it turns back at its end).
    fn at(&self, metres: f64) -> (f64, f64) {
        let span = 10.0 * (self.0.len() - 1) as f64;
        let m = metres.rem_euclid(2.0 * span);
        let m = if m > span { 2.0 * span - m } else { m };
        let (i, f) = ((m / 10.0).floor() as usize, (m / 10.0).fract());
        let (a, b) = (self.0[i.min(self.0.len() - 1)], self.0[(i + 1).min(self.0.len() - 1)]);
        (a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f)
    }
}

/// An honest phone's track along `route` from `start` for `minutes`: walking pace, fixes every
/// 1 s, 5 s or 10–30 s, sometimes a pause of up to 8 min under trees, and 2-D normal noise whose
/// 68 % radius is the reported accuracy (3–20 m, now and then 30–80 m).
fn walk(rng: &mut ChaCha8Rng, route: &Route, start: i64, minutes: i64) -> Vec<TrackPoint> {
    let speed = rng.gen_range(0.8..1.5);
    let s0 = rng.gen_range(0.0..3_000.0);
    let interval = match rng.gen_range(0..10) {
        0 => 1_000..=1_000,
        1..=3 => 5_000..=5_000,
        _ => 10_000..=30_000,
    };
    let pause_at = (minutes > 20 && rng.gen_bool(0.3)).then(|| start + rng.gen_range(5..minutes - 10) * MIN);
    let end = start + minutes * MIN;
    let (mut t, mut track) = (start, Vec::new());
    while t <= end {
        let (lon, lat) = route.at(s0 + speed * (t - start) as f64 / 1_000.0);
        let acc: u32 = if rng.gen_bool(0.05) { rng.gen_range(30..80) } else { rng.gen_range(3..20) };
        let sigma = f64::from(acc) / 1.515;
        let (dn, de) = (normal(rng) * sigma, normal(rng) * sigma);
        let lat = lat + dn / M_PER_DEG;
        let lon = lon + de / (M_PER_DEG * lat.to_radians().cos());
        track.push(TrackPoint { t, lon: (lon * 1e7).round() as i32, lat: (lat * 1e7).round() as i32, acc: Some(acc) });
        let mut step = rng.gen_range(interval.clone());
        if pause_at.is_some_and(|p| t < p && t + step >= p) {
            step += rng.gen_range(2..8) * MIN;
        }
        t = (t + step).min(if t < end { end } else { end + 1 });
    }
    track
}

/// A copy of `track` shifted by `shift` ms, each fix moved by up to 2 m and 0.5 s.
fn noisy(rng: &mut ChaCha8Rng, track: &[TrackPoint], shift: i64) -> Vec<TrackPoint> {
    let e7 = 2.0 / M_PER_DEG * 1e7 / std::f64::consts::SQRT_2;
    let mut copy: Vec<TrackPoint> = track
        .iter()
        .map(|p| TrackPoint {
            t: p.t + shift + rng.gen_range(-500..=500),
            lon: p.lon + rng.gen_range(-e7..=e7).round() as i32,
            lat: p.lat + rng.gen_range(-e7..=e7).round() as i32,
            ..*p
        })
        .collect();
    copy.sort_by_key(|p| p.t);
    copy
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let (u, v): (f64, f64) = (rng.gen_range(f64::EPSILON..1.0), rng.gen_range(0.0..1.0));
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// A patrol as a device sent it, with when the server received it and what the test knows.
struct Sent {
    id: EventId,
    officer: u64,
    device: u64,
    /// Position in its device's chain.
    seq: usize,
    track: Vec<TrackPoint>,
    started_at: i64,
    ended_at: i64,
    mock_fixes: u32,
    received_at: i64,
    truth: Vec<&'static str>,
    /// The patrol a duplicate or overlap flag must name.
    names: Option<EventId>,
}

struct County {
    rng: ChaCha8Rng,
    routes: Vec<Route>,
    sent: Vec<Sent>,
}

impl County {
    /// Sends a patrol from `device` of `officer`; the phone syncs `delay` after `recorded_at` (or
    /// after `after`, the arrival of another patrol), never before its own earlier events.
    fn send(&mut self, officer: u64, device: u64, track: Vec<TrackPoint>, recorded_at: i64, arrives: i64) -> usize {
        let seq = self.sent.iter().filter(|s| s.device == device).count();
        let previous = self.sent.iter().filter(|s| s.device == device).map(|s| s.received_at).max().unwrap_or(0);
        let (started_at, ended_at) = (track.first().map_or(recorded_at, |p| p.t), track.last().map_or(recorded_at, |p| p.t));
        let id = EventId(uuid::Uuid::from_u128(0x0192_f0c1_0000_7000_8000_0000_0000_0000 + self.sent.len() as u128));
        let received_at = previous.max(arrives).max(recorded_at);
        self.sent.push(Sent {
            id,
            officer,
            device,
            seq,
            track,
            started_at,
            ended_at,
            mock_fixes: 0,
            received_at,
            truth: Vec::new(),
            names: None,
        });
        self.sent.len() - 1
    }

    fn honest(&mut self, officer: u64, day: i64, minute_of_day: i64, minutes: i64) -> usize {
        let start = WEEK1 + day * DAY + minute_of_day * MIN;
        let track = walk(&mut self.rng, &self.routes[officer as usize], start, minutes);
        let end = track.last().map_or(start, |p| p.t);
        let delay = if self.rng.gen_bool(0.3) { self.rng.gen_range(1..7 * DAY) } else { self.rng.gen_range(0..30 * MIN) };
        self.send(officer, officer, track, end, end + delay)
    }

    fn tamper(&mut self, index: usize, truth: &'static str, names: Option<EventId>) {
        self.sent[index].truth.push(truth);
        self.sent[index].names = names;
    }
}

/// Officers 0–6 patrol Tuesdays and Fridays for four weeks; officer 7 only sends a copy. The
/// tampered and back-to-back patrols sit on Wednesdays, recorded between Tuesday's and Friday's,
/// so that each device's chain stays in time order.
fn generate(seed: u64) -> Vec<Sent> {
    let mut c = County { rng: ChaCha8Rng::seed_from_u64(seed), routes: (0..OFFICERS).map(Route::new).collect(), sent: Vec::new() };
    let mut clean = std::collections::BTreeMap::new();
    for week in 0..4 {
        for weekday in [1, 4] {
            if weekday == 4 {
                tampered_in_week(&mut c, week, &clean);
            }
            for officer in 0..7 {
                let (at, minutes) = (480 + 20 * officer as i64 + c.rng.gen_range(0..60), c.rng.gen_range(40..110));
                clean.insert((officer, week, weekday), c.honest(officer, 7 * week + weekday, at, minutes));
            }
        }
    }
    // Phone 1's clock runs two days ahead when it records its last patrol.
    let synced = c.sent.iter().filter(|s| s.device == 1).map(|s| s.received_at).max().unwrap_or(0) + DAY;
    let track = walk(&mut c.rng, &c.routes[1], synced + 2 * DAY, 45);
    let i = c.send(1, 1, track, synced, synced);
    c.tamper(i, "future_timestamp", None);
    c.sent
}

fn tampered_in_week(c: &mut County, week: i64, clean: &std::collections::BTreeMap<(u64, i64, i64), usize>) {
    let wednesday = |minute: i64| WEEK1 + (7 * week + 2) * DAY + minute * MIN;
    let arrival_after = |c: &County, of: usize| c.sent[of].received_at + 60 * MIN;
    match week {
        0 => {
            // A two-minute patrol.
            let track = walk(&mut c.rng, &c.routes[0], wednesday(600), 2);
            let i = c.send(0, 0, track, wednesday(603), wednesday(603));
            c.tamper(i, "too_short", None);
        }
        1 => {
            // A teleport: one fix 6.7 km north.
            let mut track = walk(&mut c.rng, &c.routes[1], wednesday(600), 60);
            let mid = track.len() / 2;
            track[mid].lat += 600_000;
            let i = c.send(1, 1, track, wednesday(661), wednesday(661));
            c.tamper(i, "impossible_speed", None);
            // Officer 7 sends officer 3's week-1 Tuesday track as it is, times and all.
            let original = clean[&(3, 0, 1)];
            let track = c.sent[original].track.clone();
            let i = c.send(7, 7, track, wednesday(700), arrival_after(c, original));
            c.tamper(i, "duplicate_track", Some(c.sent[original].id));
            // Officer 5 sends every 2nd fix of officer 6's week-1 Friday patrol, moved to today.
            let original = clean[&(6, 0, 4)];
            let shift = wednesday(600) - c.sent[original].started_at;
            let track: Vec<TrackPoint> = c.sent[original].track.iter().step_by(2).map(|p| TrackPoint { t: p.t + shift, ..*p }).collect();
            let recorded = track.last().map_or(0, |p| p.t);
            let i = c.send(5, 5, track, recorded, arrival_after(c, original));
            c.tamper(i, "duplicate_track", Some(c.sent[original].id));
            // A patrol with mock fixes.
            let track = walk(&mut c.rng, &c.routes[6], wednesday(600), 60);
            let i = c.send(6, 6, track, wednesday(661), wednesday(661));
            c.sent[i].mock_fixes = 25;
            c.tamper(i, "mock_location", None);
            // Officer 0's second phone records a walk overlapping officer 0's Tuesday patrol.
            let original = clean[&(0, 1, 1)];
            let track = walk(&mut c.rng, &c.routes[0], c.sent[original].started_at + 20 * MIN, 60);
            let i = c.send(0, 100, track, wednesday(0), arrival_after(c, original));
            c.tamper(i, "overlapping_patrol", Some(c.sent[original].id));
        }
        2 => {
            // Officer 4 sends their own week-1 Tuesday track again, 15 days later.
            let original = clean[&(4, 0, 1)];
            let shift = wednesday(600) - c.sent[original].started_at;
            let track: Vec<TrackPoint> = c.sent[original].track.iter().map(|p| TrackPoint { t: p.t + shift, ..*p }).collect();
            let recorded = track.last().map_or(0, |p| p.t);
            let i = c.send(4, 4, track, recorded, arrival_after(c, original));
            c.tamper(i, "duplicate_track", Some(c.sent[original].id));
            // Officer 3's phone clock is set back three days.
            let track = walk(&mut c.rng, &c.routes[3], wednesday(600) - 3 * DAY, 60);
            let i = c.send(3, 3, track, wednesday(661), wednesday(661));
            c.tamper(i, "behind_device_clock", None);
        }
        _ => {
            // Back to back: officer 5's second patrol starts where the first ends.
            let first = c.honest(5, 7 * week + 2, 540, 60);
            let end = c.sent[first].ended_at;
            let track = walk(&mut c.rng, &c.routes[5], end, 50);
            c.send(5, 5, track, end + 50 * MIN, end + 50 * MIN);
            // Officer 2 sends their own week-2 Friday walk again, moved by up to 2 m a fix and
            // 0.5 s; officer 6 sends officer 1's week-3 Tuesday walk the same way.
            for (officer, of) in [(2, (2, 1, 4)), (6, (1, 2, 1))] {
                let original = clean[&of];
                let shift = wednesday(700) - c.sent[original].started_at;
                let track = noisy(&mut c.rng, &c.sent[original].track, shift);
                let recorded = track.last().map_or(0, |p| p.t);
                let i = c.send(officer, officer, track, recorded, arrival_after(c, original));
                c.tamper(i, "duplicate_track", Some(c.sent[original].id));
            }
        }
    }
}

/// Checks every patrol in arrival order against what arrived before it, as the server does.
fn check_all(sent: &[Sent]) -> Vec<Vec<PlausibilityFlag>> {
    let mut order: Vec<usize> = (0..sent.len()).collect();
    order.sort_by_key(|&i| (sent[i].received_at, sent[i].device, sent[i].seq));
    let officers: Vec<UserId> = (0..=OFFICERS).map(|o| UserId::new(format!("vo-{o}")).expect("user")).collect();
    let fingerprints: Vec<Option<TrackFingerprint>> = sent.iter().map(|s| TrackFingerprint::of(&s.track)).collect();
    let rules = PlausibilityRules::default();
    let mut flags = vec![Vec::new(); sent.len()];
    for (n, &i) in order.iter().enumerate() {
        let s = &sent[i];
        let before = &order[..n];
        let patrol = PatrolUnderCheck {
            id: s.id,
            officer: &officers[s.officer as usize],
            started_at: s.started_at,
            ended_at: s.ended_at,
            track: &s.track,
            mock_fixes: s.mock_fixes,
        };
        let same_device = before.iter().filter(|&&j| sent[j].device == s.device && sent[j].seq < s.seq);
        let device_previous_max_t = same_device
            .map(|&j| {
                PatrolUnderCheck { track: &sent[j].track, started_at: sent[j].started_at, ended_at: sent[j].ended_at, ..patrol }.latest_t()
            })
            .max();
        let officer_patrols: Vec<OfficerPatrol> = before
            .iter()
            .filter(|&&j| sent[j].officer == s.officer)
            .map(|&j| OfficerPatrol { id: sent[j].id, started_at: sent[j].started_at, ended_at: sent[j].ended_at })
            .collect();
        let candidates: Vec<(EventId, &[TrackPoint])> = match &fingerprints[i] {
            Some(fp) => before
                .iter()
                .filter(|&&j| fingerprints[j].as_ref().is_some_and(|other| other.shares_any(fp)))
                .map(|&j| (sent[j].id, sent[j].track.as_slice()))
                .collect(),
            None => Vec::new(),
        };
        let context = PlausibilityContext {
            device_now: s.received_at,
            device_previous_max_t,
            officer_patrols: &officer_patrols,
            duplicate_candidates: &candidates,
        };
        flags[i] = check_plausibility(&patrol, &context, &rules);
    }
    flags
}

#[test]
fn the_month_starts_on_a_monday_in_county_time() {
    assert_eq!(crate::values::IsoWeek::of_ms(WEEK1).bounds_ms().0, WEEK1);
}

#[test]
fn flags_on_a_generated_month_are_exactly_the_truth() {
    for seed in [1, 2, 3] {
        let sent = generate(seed);
        assert!(sent.len() > 60 && sent.iter().filter(|s| s.truth.is_empty()).count() > 55, "seed {seed}: {} patrols", sent.len());
        let flags = check_all(&sent);
        for (s, flags) in sent.iter().zip(&flags) {
            let kinds: Vec<&str> = flags.iter().map(|f| f.kind().as_str()).collect();
            let details: Vec<String> = flags.iter().map(PlausibilityFlag::detail).collect();
            assert_eq!(kinds, s.truth, "seed {seed}, officer {} device {} patrol {}: {details:?}", s.officer, s.device, s.seq);
            for flag in flags {
                match flag {
                    PlausibilityFlag::DuplicateTrack { of, .. } => assert_eq!(Some(*of), s.names),
                    PlausibilityFlag::OverlappingPatrol { with, .. } => assert_eq!(Some(*with), s.names),
                    _ => {}
                }
            }
        }
        let by_sequence = flags
            .iter()
            .flatten()
            .filter(|f| matches!(f, PlausibilityFlag::DuplicateTrack { basis: DuplicateBasis::Sequence, .. }))
            .count();
        assert_eq!(by_sequence, 4, "seed {seed}: the thinned, time-shifted and noisy copies keep their source's sequence of fixes");
    }
}
