//! Turning one fix read from a file into a `TrackPoint`: degrees in the file's reference system
//! to WGS 84 (GCJ-02 converted here, at the edge), then to 1e-7 degree through
//! `Coord::from_degrees`, refusing NaN and out-of-range values with the point's index.

use sync_protocol::gcj02::Crs;
use sync_protocol::values::{Coord, TrackPoint};

use super::TrackError;

/// A fix as a file gives it: degrees, Unix milliseconds, accuracy in metres if known.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawFix {
    pub lon: f64,
    pub lat: f64,
    pub t: i64,
    pub acc: Option<u32>,
}

/// Converts (from `crs` to WGS 84) and checks the fixes of a whole file, in order. Converting
/// before rounding to 1e-7 degree rounds once; errors name the position as the file gives it.
pub(crate) fn to_track(fixes: Vec<RawFix>, crs: Crs) -> Result<Vec<TrackPoint>, TrackError> {
    if fixes.is_empty() {
        return Err(TrackError::Empty);
    }
    let mut out: Vec<TrackPoint> = Vec::with_capacity(fixes.len());
    for (index, f) in fixes.into_iter().enumerate() {
        let (lon, lat) = crs.to_wgs84(f.lon, f.lat);
        let c = Coord::from_degrees(lon, lat).map_err(|source| TrackError::BadCoordinate { index, lon: f.lon, lat: f.lat, source })?;
        if out.last().is_some_and(|p| p.t > f.t) {
            return Err(TrackError::OutOfOrder { index });
        }
        out.push(TrackPoint { t: f.t, lon: c.lon, lat: c.lat, acc: f.acc });
    }
    Ok(out)
}

/// Parses a time given as RFC 3339 text (any offset) to Unix milliseconds.
pub(crate) fn rfc3339_ms(text: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(text.trim()).ok().map(|t| t.timestamp_millis())
}
