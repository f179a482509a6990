//! GeoJSON input: a LineString or MultiLineString, bare or as a Feature, or the first such
//! Feature of a FeatureCollection, with one time per position in a `times` or `coordTimes`
//! property: RFC 3339 strings or Unix milliseconds, flat or (for MultiLineString) one array per
//! line. Positions are `[lon, lat]` or `[lon, lat, elevation]` in degrees (RFC 7946: WGS 84, or
//! GCJ-02 when the caller says so) and come out in WGS 84.

use geojson::{Feature, GeoJson, Geometry, Value};
use serde_json::Value as Json;
use sync_protocol::gcj02::Crs;
use sync_protocol::values::TrackPoint;

use super::TrackError;
use super::point::{RawFix, rfc3339_ms, to_track};

pub fn read_geojson(text: &str, crs: Crs) -> Result<Vec<TrackPoint>, TrackError> {
    let parsed: GeoJson = text.parse().map_err(|e| TrackError::GeoJson(Box::new(e)))?;
    let feature = match parsed {
        GeoJson::Feature(f) => f,
        GeoJson::FeatureCollection(c) => c.features.into_iter().find(is_line).ok_or(TrackError::Empty)?,
        GeoJson::Geometry(g) => return Err(geometry_without_times(&g)),
    };
    let geometry = feature.geometry.as_ref().ok_or(TrackError::Empty)?;
    let positions: Vec<&Vec<f64>> = match &geometry.value {
        Value::LineString(line) => line.iter().collect(),
        Value::MultiLineString(lines) => lines.iter().flatten().collect(),
        other => return Err(TrackError::Geometry(other.type_name().to_owned())),
    };
    let props = feature.properties.as_ref();
    let times = props.and_then(|p| p.get("times").or_else(|| p.get("coordTimes"))).ok_or(TrackError::NoTimes)?;
    let times = flatten(times);
    if times.len() != positions.len() {
        return Err(TrackError::TimesMismatch { points: positions.len(), times: times.len() });
    }
    let mut fixes = Vec::with_capacity(positions.len());
    for (index, (pos, time)) in positions.into_iter().zip(times).enumerate() {
        let [lon, lat, ..] = pos.as_slice() else { return Err(TrackError::ShortPosition { index }) };
        fixes.push(RawFix { lon: *lon, lat: *lat, t: time_ms(index, time)?, acc: None });
    }
    to_track(fixes, crs)
}

fn is_line(f: &Feature) -> bool {
    f.geometry.as_ref().is_some_and(|g| matches!(g.value, Value::LineString(_) | Value::MultiLineString(_)))
}

/// A bare geometry has no properties, so no times.
fn geometry_without_times(g: &Geometry) -> TrackError {
    match g.value {
        Value::LineString(_) | Value::MultiLineString(_) => TrackError::NoTimes,
        ref other => TrackError::Geometry(other.type_name().to_owned()),
    }
}

/// `[t, t, …]` or `[[t, …], [t, …]]` as one list.
fn flatten(times: &Json) -> Vec<&Json> {
    match times {
        Json::Array(items) => items.iter().flat_map(|i| if i.is_array() { flatten(i) } else { vec![i] }).collect(),
        other => vec![other],
    }
}

fn time_ms(index: usize, value: &Json) -> Result<i64, TrackError> {
    let parsed = match value {
        Json::String(s) => rfc3339_ms(s),
        Json::Number(n) => n.as_i64(),
        _ => None,
    };
    parsed.ok_or_else(|| TrackError::BadTime { index, value: value.to_string() })
}
