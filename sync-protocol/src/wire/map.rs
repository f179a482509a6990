//! `GET /v1/map`: what the console's map draws for a range of days (the patrol ledger's filters):
//! each selected patrol's track, thinned, each point inside or outside the zone, and whether the
//! patrol counts; each of their findings with its place. Read from the read model like the ledger,
//! never by folding the log.

use serde::{Deserialize, Serialize};

use crate::body::{FindingKind, Mineral};
use crate::ids::{EventId, UserId};
use crate::values::{Coord, TrackPoint};

/// The most points of one track on the map: enough to see where the officer walked at a
/// township's scale; the patrol's page draws every fix.
pub const MAP_TRACK_POINTS: usize = 100;

/// The features of the map for the range and filter asked.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MapFeatures {
    pub patrols: Vec<MapPatrol>,
    pub findings: Vec<MapFinding>,
}

/// One patrol on the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapPatrol {
    pub patrol: EventId,
    pub officer: UserId,
    pub started_at: i64,
    /// Whether it counts toward the quota (`None` while unchecked).
    pub counts: Option<bool>,
    /// `[lat, lon]` in degrees (WGS 84), at most [`MAP_TRACK_POINTS`].
    pub track: Vec<[f64; 2]>,
    /// For each point of `track`, whether it lies inside the officer's zone at its time, the
    /// tolerance included (`crate::checks::geofence::place`, the rule the check counts by).
    pub inside: Vec<bool>,
}

/// One finding on the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapFinding {
    pub id: EventId,
    pub patrol: EventId,
    pub kind: FindingKind,
    pub mineral: Option<Mineral>,
    pub high_priority: bool,
    /// `[lat, lon]` in degrees (WGS 84).
    pub at: [f64; 2],
}

/// `coord` as `[lat, lon]` degrees.
pub fn degrees(coord: Coord) -> [f64; 2] {
    [f64::from(coord.lat) / 1e7, f64::from(coord.lon) / 1e7]
}

/// The track's points thinned evenly to at most `max` (the first and the last always kept).
pub fn thinned(track: &[TrackPoint], max: usize) -> Vec<TrackPoint> {
    if track.len() <= max || max < 2 {
        return track.iter().take(max).copied().collect();
    }
    let last = track.len() - 1;
    (0..max).map(|i| track[i * last / (max - 1)]).collect()
}

/// The track's points as `[lat, lon]` degrees, thinned evenly to at most `max` ([`thinned`]).
pub fn thin(track: &[TrackPoint], max: usize) -> Vec<[f64; 2]> {
    thinned(track, max).iter().map(|p| [f64::from(p.lat) / 1e7, f64::from(p.lon) / 1e7]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn track(n: usize) -> Vec<TrackPoint> {
        (0..n).map(|i| TrackPoint { t: i as i64 * 1_000, lon: 1_145_000_000 + i as i32, lat: 255_000_000, acc: None }).collect()
    }

    #[test]
    fn a_short_track_is_kept_whole_and_a_long_one_thinned_to_its_ends() {
        assert_eq!(thin(&track(5), MAP_TRACK_POINTS).len(), 5);
        let long = track(1_000);
        let thinned = thin(&long, MAP_TRACK_POINTS);
        assert_eq!(thinned.len(), MAP_TRACK_POINTS);
        assert_eq!(thinned[0], [25.5, 114.5]);
        assert_eq!(thinned[MAP_TRACK_POINTS - 1][1], f64::from(1_145_000_999) / 1e7);
        assert!(thinned.windows(2).all(|w| w[0][1] < w[1][1]), "in order, no point twice");
    }
}
