//! The measures, one thread, and the exactness checks on the same data.

use std::hint::black_box;
use std::time::{Duration, Instant};

use anyhow::Result;
use geo::coordinate_position::CoordPos;
use geo::{BoundingRect, Contains, Coord, CoordinatePosition, Point, Polygon, Rect};
use sync_protocol::checks::geofence::{self, GeofenceConfig, PreparedZone};
use sync_protocol::checks::patrol_report::check_patrol;
use sync_protocol::checks::zone_index::ZoneIndex;
use sync_protocol::ids::ZoneId;

use crate::dataset::Dataset;

/// Everything prepared once, before any clock starts.
pub struct Prepared<'d> {
    pub data: &'d Dataset,
    pub zones: Vec<PreparedZone>,
    pub geos: Vec<Polygon<f64>>,
    pub boxes: Vec<Option<Rect<f64>>>,
    pub index: ZoneIndex<usize>,
    /// Every fix as a coordinate in degrees, with its track's zone (index into `zones`).
    pub points: Vec<(Coord<f64>, usize)>,
    pub prepare_time: Duration,
}

pub fn prepare(data: &Dataset) -> Result<Prepared<'_>> {
    let start = Instant::now();
    let zones = data
        .villages
        .iter()
        .map(|v| Ok(PreparedZone::new(ZoneId::new(format!("village-{}", v.id))?, &v.boundary)))
        .collect::<Result<Vec<_>>>()?;
    let geos: Vec<Polygon<f64>> = data.villages.iter().map(|v| v.boundary.to_geo()).collect();
    let index = ZoneIndex::new(geos.iter().cloned().enumerate());
    let prepare_time = start.elapsed();
    let boxes = geos.iter().map(BoundingRect::bounding_rect).collect();
    let points = data.tracks.iter().flat_map(|t| t.fixes.iter().map(move |f| (geofence::fix_coord(f), t.village))).collect();
    Ok(Prepared { data, zones, geos, boxes, index, points, prepare_time })
}

/// Items per second of `pass` (which handles `items` items), repeated until `min` has passed.
fn rate(min: Duration, items: usize, mut pass: impl FnMut() -> usize) -> f64 {
    let start = Instant::now();
    let mut passes = 0usize;
    loop {
        black_box(pass());
        passes += 1;
        let elapsed = start.elapsed();
        if elapsed >= min {
            return (passes * items) as f64 / elapsed.as_secs_f64();
        }
    }
}

/// Rates per second; a measure not asked for is `None`.
pub struct Rates {
    /// (a): the prepared zone, and a plain `geo::Contains` loop.
    pub in_zone: Option<(f64, f64)>,
    pub geo_contains_points: usize,
    /// (b), lookups per second.
    pub which_village: Option<f64>,
    /// (c), tracks per second.
    pub patrols: Option<f64>,
    pub fixes_per_track: f64,
    /// Share of fixes inside their zone (tolerance included), by (c).
    pub share_inside: f64,
}

/// Runs the measures named in `only` (letters a, b, c).
pub fn measure(p: &Prepared<'_>, min: Duration, only: &str) -> Rates {
    let sample = &p.points[..p.points.len().min(100_000)];
    let in_zone = only.contains('a').then(|| {
        let fast = rate(min, p.points.len(), || p.points.iter().filter(|(c, z)| p.zones[*z].position(*c) != CoordPos::Outside).count());
        let geo = rate(min, sample.len(), || sample.iter().filter(|(c, z)| p.geos[*z].contains(&Point(*c))).count());
        (fast, geo)
    });
    let which_village =
        only.contains('b').then(|| rate(min, p.points.len(), || p.points.iter().filter_map(|(c, _)| p.index.first_containing(*c)).sum()));
    let config = GeofenceConfig::default();
    let tracks = &p.data.tracks;
    let patrols = only.contains('c').then(|| {
        rate(min, tracks.len(), || tracks.iter().map(|t| check_patrol(&t.fixes, |_| Some(&p.zones[t.village]), &config).fixes_inside).sum())
    });
    let fixes_per_track = p.points.len() as f64 / tracks.len().max(1) as f64;
    let inside: usize = tracks.iter().map(|t| check_patrol(&t.fixes, |_| Some(&p.zones[t.village]), &config).fixes_inside).sum();
    let share_inside = inside as f64 / p.points.len().max(1) as f64;
    Rates { in_zone, geo_contains_points: sample.len(), which_village, patrols, fixes_per_track, share_inside }
}

pub struct Exactness {
    pub sampled: usize,
    /// Sampled points where the index or a prepared zone answered differently from geo.
    pub mismatches: usize,
    /// Points whose village (b) differs from the data set's `village_id` (files only).
    pub village_id_mismatches: Option<usize>,
}

/// The villages (indices) that hold `c`, inside or on the boundary, by geo's
/// `CoordinatePosition` on every polygon in a plain loop (bounding boxes first): independent of
/// `ZoneIndex`, whose answers it checks.
fn exact_positions(p: &Prepared<'_>, c: &Coord<f64>) -> Vec<(usize, CoordPos)> {
    p.geos
        .iter()
        .enumerate()
        .filter(|(i, _)| p.boxes[*i].is_some_and(|b| c.x >= b.min().x && c.x <= b.max().x && c.y >= b.min().y && c.y <= b.max().y))
        .map(|(i, g)| (i, g.coordinate_position(c)))
        .filter(|(_, pos)| *pos != CoordPos::Outside)
        .collect()
}

/// The first village holding a point inside, else the first holding it on its boundary.
fn first_of(exact: &[(usize, CoordPos)]) -> Option<usize> {
    exact.iter().find(|(_, pos)| *pos == CoordPos::Inside).or(exact.first()).map(|(i, _)| *i)
}

/// The village id a data set written by the bench records for `c`: by [`exact_positions`], never
/// by the index, so that reading the files back checks `first_containing` against another
/// implementation rather than against itself.
pub fn village_by_geo(p: &Prepared<'_>, c: &Coord<f64>) -> Option<i64> {
    first_of(&exact_positions(p, c)).map(|i| p.data.villages[i].id)
}

/// Compares, on every `n / sample`-th point, the index and each track's prepared zone with geo's
/// `CoordinatePosition` on every polygon (a plain loop, bounding boxes first), and (b) with
/// `geo::Contains` for the assigned zone; with a CSV, (b) with its `village_id` on every point.
pub fn verify(p: &Prepared<'_>, sample: usize) -> Exactness {
    let step = (p.points.len() / sample.max(1)).max(1);
    let mut mismatches = 0;
    let mut sampled = 0;
    for (c, z) in p.points.iter().step_by(step) {
        sampled += 1;
        let exact = exact_positions(p, c);
        let first = first_of(&exact);
        let zone_exact = p.geos[*z].coordinate_position(c);
        let ok = p.index.locate(*c) == exact
            && p.index.first_containing(*c).copied() == first
            && p.zones[*z].position(*c) == zone_exact
            && p.geos[*z].contains(&Point(*c)) == (zone_exact == CoordPos::Inside);
        mismatches += usize::from(!ok);
    }
    let village_id_mismatches = p.data.expected.as_ref().map(|expected| {
        p.points
            .iter()
            .zip(expected)
            .filter(|((c, _), want)| {
                let got = p.index.first_containing(*c).map(|i| p.data.villages[*i].id);
                if got == **want {
                    return false;
                }
                // On a shared border either holder is right: both must hold the fix, by geo.
                let holders: Vec<i64> = exact_positions(p, c).iter().map(|(i, _)| p.data.villages[*i].id).collect();
                !(got.is_some_and(|g| holders.contains(&g)) && want.is_some_and(|w| holders.contains(&w)))
            })
            .count()
    });
    Exactness { sampled, mismatches, village_id_mismatches }
}
