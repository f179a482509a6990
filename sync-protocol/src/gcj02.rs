//! Coordinate reference systems a device may hand positions in, and the conversion of GCJ-02
//! (the shifted datum of Chinese map SDKs) to WGS 84, which is all the protocol stores.
//!
//! # The GCJ-02 formula
//! GCJ-02 adds to a WGS 84 position an offset of a few hundred metres that varies smoothly (with
//! small sinusoidal ripples) over the country. The widely published approximation of that offset,
//! used here, computes two values in metres from `x = lon − 105°`, `y = lat − 35°`:
//!
//! ```text
//! ripple  = ⅔·(20 sin 6πx + 20 sin 2πx)
//! north_m = −100 + 2x + 3y + 0.2y² + 0.1xy + 0.2√|x| + ripple + ⅔·(20 sin πy + 40 sin(πy/3)) + ⅔·(160 sin(πy/12) + 320 sin(πy/30))
//! east_m  =  300 +  x + 2y + 0.1x² + 0.1xy + 0.1√|x| + ripple + ⅔·(20 sin πx + 40 sin(πx/3)) + ⅔·(150 sin(πx/12) + 300 sin(πx/30))
//! ```
//!
//! and turns them into degrees on the Krasovsky 1940 ellipsoid (a = 6,378,245 m,
//! e² = 0.00669342162296594323) at the WGS 84 latitude: north by the meridian radius
//! `M = a(1 − e²)/(1 − e² sin²φ)^1.5`, east by the parallel's radius `N cos φ`, `N = a/√(1 − e² sin²φ)`.
//! Outside mainland China (a rough box, see [`in_china_box`]) GCJ-02 is WGS 84 unchanged.
//!
//! # Accuracy
//! The inverse has no closed form: [`gcj02_to_wgs84`] iterates `w ← w − (forward(w) − g)` until the
//! forward of the estimate is within 1e-9° (about 0.1 mm) of the input, at most 20 times (a few
//! suffice). Over a 0.5° grid of mainland China (74°–134° E, 12°–54° N, 10,285 points) the test
//! measures the worst round trip, WGS 84 → GCJ-02 → WGS 84 and GCJ-02 → WGS 84 → GCJ-02, at
//! 0.13 mm. That is the error against the formula. The formula itself is the published
//! approximation of the datum, not an official survey transform: where it differs from what a map
//! SDK applies, positions are off by that difference. Implementations differ too: some use the
//! WGS 84 semi-major axis (6,378,137 m) in place of Krasovsky's, which moves the result by about
//! 1 cm; this one agrees with the coordtransform package to 1e-9° (see the tests).

use serde::{Deserialize, Serialize};
use std::f64::consts::PI;
use std::fmt;
use std::str::FromStr;

use crate::error::ValidationError;

/// Krasovsky 1940 semi-major axis, metres (the ellipsoid the GCJ-02 formula is stated on).
const KRASOVSKY_A: f64 = 6_378_245.0;
/// Krasovsky 1940 first eccentricity squared, with the digits the formula is published with.
#[allow(clippy::excessive_precision)]
const KRASOVSKY_E2: f64 = 0.006_693_421_622_965_943_23;
/// The inverse stops when the forward of its estimate is this close to the input, in degrees.
const INVERSE_TOLERANCE_DEG: f64 = 1e-9;
/// The inverse gives up refining after this many steps (a few suffice inside China).
const INVERSE_MAX_STEPS: usize = 20;

/// The reference system positions are given in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Crs {
    /// WGS 84 (and CGCS2000, which differs from it by centimetres): what GPS gives and the protocol stores.
    #[default]
    Wgs84,
    /// GCJ-02, the shifted system of Chinese map SDKs (AMap, Tencent; Baidu's BD-09 is another shift).
    Gcj02,
}

impl Crs {
    /// The position in WGS 84, degrees `(lon, lat)`.
    pub fn to_wgs84(self, lon: f64, lat: f64) -> (f64, f64) {
        match self {
            Crs::Wgs84 => (lon, lat),
            Crs::Gcj02 => gcj02_to_wgs84(lon, lat),
        }
    }
}

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Crs::Wgs84 => "wgs84",
            Crs::Gcj02 => "gcj02",
        })
    }
}

impl FromStr for Crs {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "wgs84" => Ok(Crs::Wgs84),
            "gcj02" => Ok(Crs::Gcj02),
            _ => Err(ValidationError::field("crs", format!("{:?} is neither wgs84 nor gcj02", crate::ids::truncate(s)))),
        }
    }
}

/// Whether a position falls in the rough box where GCJ-02 applies: 72.004°–137.8347° E,
/// 0.8293°–55.8271° N, the box open-source converters use (e.g. googollee/eviltransform). It also
/// takes in neighbouring countries' border areas, Taiwan, Hong Kong and Macau, where real maps are
/// not shifted; a county in mainland China is always inside.
pub fn in_china_box(lon: f64, lat: f64) -> bool {
    (72.004..=137.8347).contains(&lon) && (0.8293..=55.8271).contains(&lat)
}

/// WGS 84 to GCJ-02, degrees `(lon, lat)` (the published formula, see the module docs).
pub fn wgs84_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    if !in_china_box(lon, lat) {
        return (lon, lat);
    }
    let (east_m, north_m) = offset_m(lon - 105.0, lat - 35.0);
    let phi = lat.to_radians();
    let w = 1.0 - KRASOVSKY_E2 * phi.sin().powi(2);
    let meridian_radius = KRASOVSKY_A * (1.0 - KRASOVSKY_E2) / (w * w.sqrt());
    let parallel_radius = KRASOVSKY_A / w.sqrt() * phi.cos();
    (lon + (east_m / parallel_radius).to_degrees(), lat + (north_m / meridian_radius).to_degrees())
}

/// GCJ-02 to WGS 84, degrees `(lon, lat)`, by fixed-point iteration on [`wgs84_to_gcj02`].
pub fn gcj02_to_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    let mut estimate = (lon, lat);
    for _ in 0..INVERSE_MAX_STEPS {
        let (flon, flat) = wgs84_to_gcj02(estimate.0, estimate.1);
        let (dlon, dlat) = (flon - lon, flat - lat);
        if dlon.abs() < INVERSE_TOLERANCE_DEG && dlat.abs() < INVERSE_TOLERANCE_DEG {
            break;
        }
        estimate = (estimate.0 - dlon, estimate.1 - dlat);
    }
    estimate
}

/// The formula's offset east and north, in metres, at `x = lon − 105°`, `y = lat − 35°`.
fn offset_m(x: f64, y: f64) -> (f64, f64) {
    let two_thirds = 2.0 / 3.0;
    let ripple = two_thirds * (20.0 * (6.0 * PI * x).sin() + 20.0 * (2.0 * PI * x).sin());
    let north = -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * x.abs().sqrt()
        + ripple
        + two_thirds * (20.0 * (PI * y).sin() + 40.0 * (PI * y / 3.0).sin())
        + two_thirds * (160.0 * (PI * y / 12.0).sin() + 320.0 * (PI * y / 30.0).sin());
    let east = 300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * x.abs().sqrt()
        + ripple
        + two_thirds * (20.0 * (PI * x).sin() + 40.0 * (PI * x / 3.0).sin())
        + two_thirds * (150.0 * (PI * x / 12.0).sin() + 300.0 * (PI * x / 30.0).sin());
    (east, north)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::metres::between_m;
    use geo::coord;

    fn metres(a: (f64, f64), b: (f64, f64)) -> f64 {
        between_m(coord! { x: a.0, y: a.1 }, coord! { x: b.0, y: b.1 })
    }

    /// Points every 0.5° over mainland China's box, kept a little inside so the round trip never
    /// straddles the box's edge (where the formula switches off).
    fn china_grid() -> impl Iterator<Item = (f64, f64)> {
        (0..=120).flat_map(|i| (0..=84).map(move |j| (74.0 + 0.5 * f64::from(i), 12.0 + 0.5 * f64::from(j))))
    }

    #[test]
    fn the_round_trip_over_china_is_within_a_centimetre() {
        let mut worst = 0.0f64;
        for wgs in china_grid() {
            let gcj = wgs84_to_gcj02(wgs.0, wgs.1);
            worst = worst.max(metres(gcj02_to_wgs84(gcj.0, gcj.1), wgs));
            let back = gcj02_to_wgs84(wgs.0, wgs.1);
            worst = worst.max(metres(wgs84_to_gcj02(back.0, back.1), wgs));
        }
        // The module docs state the measured maximum (0.13 mm): the inverse's 1e-9° stopping rule.
        assert!(worst < 2e-4, "worst round trip {worst} m");
    }

    #[test]
    fn the_forward_formula_agrees_with_an_independent_implementation() {
        // (lon, lat) → GCJ-02 as computed by the Python package coordtransform 0.2.1
        // (`coordTransform.wgs84_to_gcj02`, a = 6378245), to 9 decimals.
        let reference = [
            ((114.5, 25.5), (114.504_901_081, 25.497_138_146)),
            ((116.4, 39.9), (116.406_242_785, 39.901_403_530)),
            ((121.47, 31.23), (121.474_534_900, 31.228_067_482)),
        ];
        for (wgs, expected) in reference {
            let gcj = wgs84_to_gcj02(wgs.0, wgs.1);
            assert!((gcj.0 - expected.0).abs() < 2e-9 && (gcj.1 - expected.1).abs() < 2e-9, "{wgs:?}: {gcj:?} vs {expected:?}");
        }
    }

    #[test]
    fn near_the_demo_county_the_offset_is_hundreds_of_metres() {
        // server/src/demo/grid.rs: the county's south-west corner is about 114.32°E, 25.34°N.
        for (lon, lat) in [(114.32, 25.34), (114.5, 25.5), (114.68, 25.65)] {
            let gcj = wgs84_to_gcj02(lon, lat);
            let shift = metres(gcj, (lon, lat));
            assert!((200.0..800.0).contains(&shift), "{lon} {lat}: {shift} m");
            // The datum shifts east-north-east there, never west.
            assert!(gcj.0 > lon, "{gcj:?}");
        }
    }

    #[test]
    fn outside_china_nothing_changes() {
        for (lon, lat) in [(2.35, 48.85), (-74.0, 40.7), (139.7, 35.7), (100.0, -5.0), (72.0, 30.0), (114.5, 56.0)] {
            assert_eq!(wgs84_to_gcj02(lon, lat), (lon, lat));
            assert_eq!(gcj02_to_wgs84(lon, lat), (lon, lat));
            assert_eq!(Crs::Gcj02.to_wgs84(lon, lat), (lon, lat));
        }
        assert_eq!(Crs::Wgs84.to_wgs84(114.5, 25.5), (114.5, 25.5));
        assert_ne!(Crs::Gcj02.to_wgs84(114.5, 25.5), (114.5, 25.5));
    }

    #[test]
    fn reference_systems_parse_by_name() {
        let cases = [("wgs84", Some(Crs::Wgs84)), ("gcj02", Some(Crs::Gcj02)), (" GCJ02 ", Some(Crs::Gcj02)), ("bd09", None), ("", None)];
        for (text, crs) in cases {
            assert_eq!(text.parse::<Crs>().ok(), crs, "{text:?}");
        }
        for crs in [Crs::Wgs84, Crs::Gcj02] {
            assert_eq!(crs.to_string().parse::<Crs>().ok(), Some(crs));
            assert_eq!(serde_json::to_value(crs).expect("json"), serde_json::Value::String(crs.to_string()));
        }
    }
}
