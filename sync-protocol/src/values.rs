//! Validated values that bodies are made of: coordinates in fixed point, track points, polygons,
//! ISO weeks and bounded text. Integers only, so the canonical hash has one spelling per value.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

use crate::error::ValidationError;

/// Units of a coordinate on the wire: 1e-7 degree (about 1.1 cm of latitude).
pub const E7: f64 = 10_000_000.0;

/// A WGS 84 / CGCS2000 position, longitude and latitude in units of 1e-7 degree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Coord {
    pub lon: i32,
    pub lat: i32,
}

impl Coord {
    pub fn new(lon: i32, lat: i32) -> Result<Self, ValidationError> {
        if !(-1_800_000_000..=1_800_000_000).contains(&lon) || !(-900_000_000..=900_000_000).contains(&lat) {
            return Err(ValidationError::CoordinateOutOfRange { lon_e7: lon.into(), lat_e7: lat.into() });
        }
        Ok(Coord { lon, lat })
    }

    /// From degrees, rounding to the nearest 1e-7; refuses NaN, infinities and out-of-range values.
    pub fn from_degrees(lon: f64, lat: f64) -> Result<Self, ValidationError> {
        let to_e7 = |d: f64| {
            let v = (d * E7).round();
            if v.is_finite() && v.abs() <= i32::MAX as f64 { Some(v as i32) } else { None }
        };
        match (to_e7(lon), to_e7(lat)) {
            (Some(lo), Some(la)) => Coord::new(lo, la),
            _ => Err(ValidationError::CoordinateOutOfRange { lon_e7: i64::MAX, lat_e7: i64::MAX }),
        }
    }

    pub fn lon_deg(&self) -> f64 {
        f64::from(self.lon) / E7
    }

    pub fn lat_deg(&self) -> f64 {
        f64::from(self.lat) / E7
    }

    pub fn to_geo(self) -> geo::Coord<f64> {
        geo::coord! { x: self.lon_deg(), y: self.lat_deg() }
    }
}

impl<'de> Deserialize<'de> for Coord {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            lon: i32,
            lat: i32,
        }
        let raw = Raw::deserialize(d)?;
        Coord::new(raw.lon, raw.lat).map_err(serde::de::Error::custom)
    }
}

/// One GNSS fix of a track: time (Unix milliseconds, UTC), position, and reported horizontal
/// accuracy in metres when the receiver gave one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackPoint {
    pub t: i64,
    pub lon: i32,
    pub lat: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acc: Option<u32>,
}

impl TrackPoint {
    /// The position, checked to be on the globe.
    pub fn coord(&self) -> Result<Coord, ValidationError> {
        Coord::new(self.lon, self.lat)
    }
}

/// A polygon: the first ring is the shell, the rest are holes; each ring is a closed list of
/// `[lon, lat]` pairs in 1e-7 degree (first point repeated last, as in RFC 7946).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Polygon(pub Vec<Vec<[i32; 2]>>);

/// The most vertices one polygon may have.
pub const MAX_POLYGON_VERTICES: usize = 50_000;

impl Polygon {
    /// Checks the form: at least a shell, every ring closed with at least 4 points, coordinates in
    /// range, and the vertex cap. (Topology, such as self-intersection, is checked by the importer.)
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.0.is_empty() {
            return Err(ValidationError::field("polygon", "has no shell"));
        }
        let total: usize = self.0.iter().map(Vec::len).sum();
        if total > MAX_POLYGON_VERTICES {
            return Err(ValidationError::field("polygon", format!("{total} vertices, more than {MAX_POLYGON_VERTICES}")));
        }
        for ring in &self.0 {
            if ring.len() < 4 || ring.first() != ring.last() {
                return Err(ValidationError::field("polygon", "a ring is not closed or has fewer than 4 points"));
            }
            for [lon, lat] in ring {
                Coord::new(*lon, *lat)?;
            }
        }
        Ok(())
    }

    pub fn to_geo(&self) -> geo::Polygon<f64> {
        let ring = |r: &Vec<[i32; 2]>| -> geo::LineString<f64> {
            r.iter().map(|[lon, lat]| geo::coord! { x: f64::from(*lon) / E7, y: f64::from(*lat) / E7 }).collect()
        };
        let mut rings = self.0.iter().map(ring);
        let shell = rings.next().unwrap_or_else(|| geo::LineString::new(vec![]));
        geo::Polygon::new(shell, rings.collect())
    }
}

/// An ISO 8601 week, e.g. `2026-W48`: the unit of the weekly patrol quota.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IsoWeek {
    pub year: i32,
    pub week: u32,
}

impl IsoWeek {
    pub fn new(year: i32, week: u32) -> Result<Self, ValidationError> {
        let bad = || ValidationError::field("week", format!("{year}-W{week:02} is not an ISO week"));
        if !(2000..=2200).contains(&year) {
            return Err(bad());
        }
        NaiveDate::from_isoywd_opt(year, week, chrono::Weekday::Mon).ok_or_else(bad)?;
        Ok(IsoWeek { year, week })
    }

    /// The ISO week that a calendar date falls in.
    pub fn of(date: NaiveDate) -> Self {
        let w = date.iso_week();
        IsoWeek { year: w.year(), week: w.week() }
    }
}

impl fmt::Display for IsoWeek {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-W{:02}", self.year, self.week)
    }
}

impl fmt::Debug for IsoWeek {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IsoWeek({self})")
    }
}

impl FromStr for IsoWeek {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ValidationError::field("week", format!("{:?} is not of the form 2026-W48", crate::ids::truncate(s)));
        let (y, w) = s.split_once("-W").ok_or_else(bad)?;
        if y.len() != 4 || w.len() != 2 || !y.bytes().chain(w.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        IsoWeek::new(y.parse().map_err(|_| bad())?, w.parse().map_err(|_| bad())?)
    }
}

impl Serialize for IsoWeek {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for IsoWeek {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Checks a free-text field: at most `max_chars` characters and no control characters other than
/// line breaks and tabs.
pub fn check_text(field: &'static str, s: &str, max_chars: usize) -> Result<(), ValidationError> {
    if s.chars().count() > max_chars {
        return Err(ValidationError::field(field, format!("longer than {max_chars} characters")));
    }
    if s.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')) {
        return Err(ValidationError::field(field, "contains control characters"));
    }
    Ok(())
}

/// Times are Unix milliseconds (UTC). Anything before 2000 or after 2200 is a broken clock or a
/// wrong unit, not a patrol.
pub fn check_time(field: &'static str, ms: i64) -> Result<(), ValidationError> {
    const Y2000: i64 = 946_684_800_000;
    const Y2200: i64 = 7_258_118_400_000;
    if (Y2000..Y2200).contains(&ms) {
        Ok(())
    } else {
        Err(ValidationError::field(field, format!("{ms} is not a time in milliseconds between 2000 and 2200")))
    }
}

/// The county keeps time in Asia/Shanghai, which is UTC+8 all year (no daylight saving).
pub const COUNTY_UTC_OFFSET_MS: i64 = 8 * 3_600_000;

/// `2026-11-26 10:42:05`: Unix ms in county time, as explanations and flags show it.
pub fn county_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms.saturating_add(COUNTY_UTC_OFFSET_MS))
        .map_or_else(|| format!("{ms} ms"), |t| t.format("%Y-%m-%d %H:%M:%S").to_string())
}

/// `2026-11-26`: the day of Unix ms in county time.
pub fn county_date(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms.saturating_add(COUNTY_UTC_OFFSET_MS))
        .map_or_else(|| format!("{ms} ms"), |t| t.date_naive().to_string())
}

impl IsoWeek {
    /// The week as `[start, end)` in Unix milliseconds: Monday 00:00 to the next Monday 00:00,
    /// county time.
    pub fn bounds_ms(&self) -> (i64, i64) {
        let monday = NaiveDate::from_isoywd_opt(self.year, self.week, chrono::Weekday::Mon).unwrap_or_default();
        let start = monday.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc().timestamp_millis() - COUNTY_UTC_OFFSET_MS;
        (start, start + 7 * 86_400_000)
    }

    /// The ISO week (county time) that an instant falls in.
    pub fn of_ms(ms: i64) -> IsoWeek {
        let local = chrono::DateTime::from_timestamp_millis(ms + COUNTY_UTC_OFFSET_MS).unwrap_or_default();
        IsoWeek::of(local.date_naive())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_outside_the_globe_are_refused() {
        assert!(Coord::new(1_145_000_000, 255_000_000).is_ok());
        assert!(Coord::new(1_800_000_001, 0).is_err());
        assert!(Coord::new(0, -900_000_001).is_err());
        for (lon, lat) in [(f64::NAN, 0.0), (0.0, f64::INFINITY), (f64::NEG_INFINITY, 0.0), (200.0, 0.0), (0.0, 91.0)] {
            assert!(Coord::from_degrees(lon, lat).is_err(), "{lon} {lat}");
        }
        assert_eq!(Coord::from_degrees(114.5, 25.5).ok(), Some(Coord { lon: 1_145_000_000, lat: 255_000_000 }));
    }

    #[test]
    fn track_points_are_flat_on_the_wire() {
        let p = TrackPoint { t: 1_764_131_257_000, lon: 1, lat: 2, acc: Some(5) };
        assert_eq!(serde_json::to_string(&p).expect("json"), r#"{"t":1764131257000,"lon":1,"lat":2,"acc":5}"#);
        assert!(serde_json::from_str::<TrackPoint>(r#"{"t":1,"lon":1.5,"lat":2}"#).is_err());
        assert!(serde_json::from_str::<TrackPoint>(r#"{"t":1,"lon":1,"lat":2,"x":0}"#).is_err());
    }

    #[test]
    fn iso_weeks_parse_strictly() {
        assert_eq!("2026-W48".parse::<IsoWeek>().ok(), Some(IsoWeek { year: 2026, week: 48 }));
        assert!("2026-W53".parse::<IsoWeek>().is_ok()); // 2026 has 53 ISO weeks
        assert!("2025-W53".parse::<IsoWeek>().is_err());
        assert!("2026-W0".parse::<IsoWeek>().is_err());
        assert_eq!(IsoWeek::of(NaiveDate::from_ymd_opt(2026, 11, 26).expect("date")).to_string(), "2026-W48");
    }

    #[test]
    fn polygons_must_be_closed_rings() {
        let square = Polygon(vec![vec![[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]]);
        assert!(square.validate().is_ok());
        let open = Polygon(vec![vec![[0, 0], [10, 0], [10, 10], [0, 10]]]);
        assert!(open.validate().is_err());
        assert!(Polygon(vec![]).validate().is_err());
    }
}
