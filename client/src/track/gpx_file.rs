//! GPX input: every `<trkpt>` of every track and segment, in file order, with its `<time>`.
//!
//! GPX has no accuracy in metres. When a point carries `<hdop>`, `acc` is estimated as
//! `ceil(hdop × 5 m)`, 5 m being the usual user-equivalent range error of a phone's GNSS
//! receiver; without `<hdop>` the point has no `acc`. Points without `<time>` are refused.
//! Positions are in the reference system the caller names (GPX means WGS 84; some Chinese apps
//! export GCJ-02 anyway) and come out in WGS 84.

use sync_protocol::ValidationError;
use sync_protocol::gcj02::Crs;
use sync_protocol::values::{Coord, TrackPoint};
use time::OffsetDateTime;

use super::TrackError;
use super::point::{RawFix, to_track};

/// Metres of position error per unit of HDOP (see the module docs).
pub const UERE_M: f64 = 5.0;

pub fn read_gpx(text: &str, crs: Crs) -> Result<Vec<TrackPoint>, TrackError> {
    let gpx = gpx::read(text.as_bytes()).map_err(|e| match locate_bad_point(text) {
        Some(bad) => bad,
        None => TrackError::Gpx(e),
    })?;
    let points = gpx.tracks.iter().flat_map(|t| &t.segments).flat_map(|s| &s.points);
    let mut fixes = Vec::new();
    for (index, wpt) in points.enumerate() {
        let time = wpt.time.ok_or(TrackError::NoTime { index })?;
        let nanos = OffsetDateTime::from(time).unix_timestamp_nanos();
        let t = i64::try_from(nanos / 1_000_000).map_err(|_| TrackError::BadTime { index, value: nanos.to_string() })?;
        let p = wpt.point();
        fixes.push(RawFix { lon: p.x(), lat: p.y(), t, acc: wpt.hdop.and_then(accuracy_m) });
    }
    to_track(fixes, crs)
}

/// `ceil(hdop × UERE_M)`, for a finite, non-negative HDOP.
pub fn accuracy_m(hdop: f64) -> Option<u32> {
    let m = (hdop * UERE_M).ceil();
    (m.is_finite() && m >= 0.0 && m <= f64::from(u32::MAX)).then_some(m as u32)
}

/// The gpx crate refuses a point off the globe (or NaN) while parsing, without saying which; this
/// finds the first such `<trkpt>` so that the error can name its index.
fn locate_bad_point(text: &str) -> Option<TrackError> {
    for (index, chunk) in text.split("<trkpt").skip(1).enumerate() {
        let head = chunk.split('>').next().unwrap_or_default();
        let (Some(lon), Some(lat)) = (attribute(head, "lon"), attribute(head, "lat")) else { continue };
        let source = match Coord::from_degrees(lon, lat) {
            Err(e) => e,
            // GPX's range for longitude is [-180, 180): 180 itself is refused by the parser.
            Ok(_) if lon >= 180.0 => ValidationError::Field { field: "lon", problem: "GPX longitudes are below 180".into() },
            Ok(_) => continue,
        };
        return Some(TrackError::BadCoordinate { index, lon, lat, source });
    }
    None
}

/// The number in ` name="…"` (or single quotes) of an element's opening tag.
fn attribute(head: &str, name: &str) -> Option<f64> {
    ['"', '\''].into_iter().find_map(|q| {
        let start = head.find(&format!(" {name}={q}"))? + name.len() + 3;
        let len = head[start..].find(q)?;
        head[start..start + len].trim().parse().ok()
    })
}
