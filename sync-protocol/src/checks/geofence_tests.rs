//! Table tests of the geofence rule and the patrol report on hand-made geometry: a square zone
//! 0.01° on a side at 114.5°E 25.5°N with a square hole, and a neighbouring zone to its east.

use super::geofence::{GeofenceConfig, Placement, PreparedZone, place};
use super::patrol_report::{Crossing, check_patrol};
use crate::ids::ZoneId;
use crate::values::{Polygon, TrackPoint};

const W: i32 = 1_145_000_000; // west edge, 1e-7 degree
const E: i32 = 1_145_100_000; // east edge
const S: i32 = 255_000_000;
const N: i32 = 255_100_000;
const MID: i32 = 255_050_000;
const HOLE_W: i32 = 1_145_040_000;
const HOLE_E: i32 = 1_145_060_000;
const T0: i64 = 1_764_131_257_000;

fn square(w: i32, e: i32, s: i32, n: i32) -> Vec<[i32; 2]> {
    vec![[w, s], [e, s], [e, n], [w, n], [w, s]]
}

fn zone_a() -> PreparedZone {
    let boundary = Polygon(vec![square(W, E, S, N), square(HOLE_W, HOLE_E, 255_040_000, 255_060_000)]);
    PreparedZone::new(ZoneId::new("zone-a").expect("id"), &boundary)
}

fn zone_b() -> PreparedZone {
    PreparedZone::new(ZoneId::new("zone-b").expect("id"), &Polygon(vec![square(E, E + 100_000, S, N)]))
}

/// 1e-7 degrees of longitude for `m` metres east at the test latitude (haversine sphere).
fn east(m: f64) -> i32 {
    let m_per_deg = 6_371_008.8_f64.to_radians() * 25.505_f64.to_radians().cos();
    (m / m_per_deg * 1e7).round() as i32
}

fn fix(t_s: i64, lon: i32, lat: i32, acc: Option<u32>) -> TrackPoint {
    TrackPoint { t: T0 + t_s * 1_000, lon, lat, acc }
}

fn config(margin_m: f64) -> GeofenceConfig {
    GeofenceConfig { margin_m, ..GeofenceConfig::default() }
}

fn near(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn each_boundary_case_is_placed_by_the_rule() {
    let z = zone_a();
    let c = config(20.0);
    type Expect = fn(Placement) -> bool;
    let cases: [(&str, TrackPoint, Expect); 12] = [
        ("interior", fix(0, W + 10_000, MID, None), |p| p == Placement::Interior),
        ("on the east edge", fix(0, E, MID, None), |p| p == Placement::OnBoundary),
        ("on a corner", fix(0, E, N, None), |p| p == Placement::OnBoundary),
        ("on the hole's edge", fix(0, HOLE_W, MID, None), |p| p == Placement::OnBoundary),
        (
            "in the hole, far from its edge",
            fix(0, HOLE_W + (HOLE_E - HOLE_W) / 2, MID, None),
            |p| matches!(p, Placement::Outside { distance_m, .. } if near(distance_m, 100.36, 0.05)),
        ),
        (
            "in the hole, within the margin of its edge",
            fix(0, HOLE_W + east(15.0), MID, None),
            |p| matches!(p, Placement::WithinTolerance { distance_m, tolerance_m } if near(distance_m, 15.0, 0.05) && tolerance_m == 20.0),
        ),
        (
            "outside, within the margin",
            fix(0, E + east(15.0), MID, None),
            |p| matches!(p, Placement::WithinTolerance { distance_m, .. } if near(distance_m, 15.0, 0.05)),
        ),
        ("outside, exactly at the margin", fix(0, E + east(19.9), MID, None), |p| matches!(p, Placement::WithinTolerance { .. })),
        (
            "just outside the margin",
            fix(0, E + east(21.0), MID, None),
            |p| matches!(p, Placement::Outside { distance_m, tolerance_m } if near(distance_m, 21.0, 0.05) && tolerance_m == 20.0),
        ),
        (
            "accuracy larger than the margin",
            fix(0, E + east(21.0), MID, Some(25)),
            |p| matches!(p, Placement::WithinTolerance { tolerance_m, .. } if tolerance_m == 25.0),
        ),
        (
            "accuracy smaller than the margin",
            fix(0, E + east(21.0), MID, Some(5)),
            |p| matches!(p, Placement::Outside { tolerance_m, .. } if tolerance_m == 20.0),
        ),
        ("accuracy beyond the margin, still too far", fix(0, E + east(30.0), MID, Some(25)), |p| matches!(p, Placement::Outside { .. })),
    ];
    for (name, f, expect) in cases {
        let p = place(&f, Some(&z), &c);
        assert!(expect(p), "{name}: {p:?}");
    }
    let with_margin_0 = place(&fix(0, E + 1, MID, None), Some(&z), &config(0.0));
    assert!(matches!(with_margin_0, Placement::Outside { .. }), "1e-7° outside, no margin: {with_margin_0:?}");
    assert_eq!(place(&fix(0, W + 10_000, MID, None), None, &c), Placement::Unassigned);
    assert!(!Placement::Unassigned.is_inside());
}

#[test]
fn an_empty_track_is_all_zero_and_not_flagged() {
    let z = zone_a();
    let r = check_patrol(&[], |_| Some(&z), &config(20.0));
    assert_eq!((r.fixes, r.fixes_inside, r.inside_ms, r.outside_ms), (0, 0, 0, 0));
    assert_eq!((r.inside_m, r.outside_m, r.max_outside_m, r.share_inside()), (0.0, 0.0, 0.0, 0.0));
    assert!(r.crossings.is_empty() && !r.flagged);
}

#[test]
fn a_single_fix_has_no_time_or_distance() {
    let z = zone_a();
    let inside = check_patrol(&[fix(0, W + 10_000, MID, None)], |_| Some(&z), &config(20.0));
    assert_eq!((inside.fixes, inside.fixes_inside, inside.inside_ms, inside.flagged), (1, 1, 0, false));
    assert_eq!(inside.share_inside(), 1.0);
    let outside = check_patrol(&[fix(0, E + east(50.0), MID, None)], |_| Some(&z), &config(20.0));
    assert_eq!((outside.fixes_inside, outside.outside_ms, outside.outside_m), (0, 0, 0.0));
    assert!(outside.flagged && near(outside.max_outside_m, 50.0, 0.05));
    assert!(outside.crossings.is_empty());
}

#[test]
fn a_mixed_segment_splits_where_it_crosses_the_tolerance_line() {
    let z = zone_a();
    let out_and_back = [fix(0, E - east(100.0), MID, None), fix(60, E + east(100.0), MID, None), fix(120, E - east(100.0), MID, None)];
    // No margin: the crossing is at the boundary, halfway.
    let r = check_patrol(&out_and_back, |_| Some(&z), &config(0.0));
    assert_eq!(r.crossings, vec![Crossing { t: T0 + 30_000, entering: false }, Crossing { t: T0 + 90_000, entering: true }]);
    assert_eq!((r.inside_ms, r.outside_ms), (60_000, 60_000));
    assert!(near(r.inside_m, 200.0, 0.1) && near(r.outside_m, 200.0, 0.1), "{r:?}");
    // A 20 m margin moves the line 20 m out: excess −120 m and +80 m, so 60 % of the way.
    let r = check_patrol(&out_and_back, |_| Some(&z), &config(20.0));
    assert_eq!(r.crossings, vec![Crossing { t: T0 + 36_000, entering: false }, Crossing { t: T0 + 84_000, entering: true }]);
    assert_eq!((r.inside_ms, r.outside_ms), (72_000, 48_000));
    assert!(near(r.max_outside_m, 100.0, 0.1));
    assert_eq!((r.fixes_inside, r.flagged), (2, true));
}

#[test]
fn the_zone_is_the_one_assigned_at_each_fixs_time() {
    let (a, b) = (zone_a(), zone_b());
    // Walks from zone A into zone B; the assignment moves from A to B at t = 90 s.
    let track = [
        fix(0, W + east(200.0), MID, None),
        fix(60, E - east(200.0), MID, None),
        fix(120, E + east(200.0), MID, None),
        fix(180, E + east(400.0), MID, None),
    ];
    let reassigned = |t: i64| if t < T0 + 90_000 { Some(&a) } else { Some(&b) };
    let r = check_patrol(&track, reassigned, &config(20.0));
    assert_eq!((r.fixes_inside, r.inside_ms, r.outside_ms, r.flagged), (4, 180_000, 0, false));
    assert!(r.crossings.is_empty());
    // Had A stayed assigned, the last two fixes would be outside, left between 60 s and 120 s.
    let r = check_patrol(&track, |_| Some(&a), &config(20.0));
    assert_eq!((r.fixes_inside, r.flagged), (2, true));
    assert_eq!(r.crossings.len(), 1);
    assert!(!r.crossings[0].entering && (T0 + 60_000..T0 + 120_000).contains(&r.crossings[0].t));
    // No zone assigned after 90 s: those fixes are outside, split at the middle.
    let r = check_patrol(&track, |t| if t < T0 + 90_000 { Some(&a) } else { None }, &config(20.0));
    assert_eq!((r.fixes_inside, r.fixes_unassigned, r.max_outside_m), (2, 2, 0.0));
    assert_eq!(r.crossings, vec![Crossing { t: T0 + 90_000, entering: false }]);
    assert_eq!((r.inside_ms, r.outside_ms), (90_000, 90_000));
}

#[test]
fn the_flag_is_raised_over_the_configured_share_outside() {
    let z = zone_a();
    let track = |outside: usize| -> Vec<TrackPoint> {
        (0..10)
            .map(|i| {
                let lon = if i < outside { E + east(500.0) } else { W + east(200.0) };
                fix(i as i64 * 60, lon, MID, None)
            })
            .collect()
    };
    let default = GeofenceConfig::default();
    assert!(!check_patrol(&track(2), |_| Some(&z), &default).flagged, "20 % outside is not over 20 %");
    assert!(check_patrol(&track(3), |_| Some(&z), &default).flagged);
    let lenient = GeofenceConfig { flag_outside_share: 0.5, ..default };
    assert!(!check_patrol(&track(5), |_| Some(&z), &lenient).flagged);
    assert!(check_patrol(&track(6), |_| Some(&z), &lenient).flagged);
}
