//! The reference file format (see `docs/reference-data.md`): typed reference data as a GeoJSON
//! FeatureCollection, one Feature per unit, zone or licence, written one feature per line.

use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat};
use geojson::{Feature, FeatureCollection, Geometry, JsonObject, feature::Id};
use serde_json::{Value, json};
use sync_protocol::body::{LicenceGranted, UnitDefined, ZoneDefined};
use sync_protocol::ids::UserId;
use sync_protocol::values::{COUNTY_UTC_OFFSET_MS, Polygon};

use super::geometry::to_positions;

/// `properties.kind` of each feature kind.
pub const UNIT: &str = "unit";
pub const ZONE: &str = "zone";
pub const LICENCE: &str = "licence";

/// A zone's officer (分片包干) from a time on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub officer: UserId,
    /// Unix milliseconds.
    pub from: i64,
}

/// A zone's latest version with its current officer, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneEntry {
    pub zone: ZoneDefined,
    pub assignment: Option<Assignment>,
}

/// The content of one reference file, typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReferenceSet {
    pub units: Vec<UnitDefined>,
    pub zones: Vec<ZoneEntry>,
    pub licences: Vec<LicenceEntry>,
}

/// A licence as a reference file holds it: its current terms and, if it is cancelled (注销), the
/// day the cancellation took effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenceEntry {
    pub terms: LicenceGranted,
    pub cancelled_from: Option<i64>,
}

impl From<LicenceGranted> for LicenceEntry {
    fn from(terms: LicenceGranted) -> Self {
        LicenceEntry { terms, cancelled_from: None }
    }
}

impl ReferenceSet {
    /// The FeatureCollection, features in the order of the set: units, zones, licences.
    pub fn to_feature_collection(&self) -> FeatureCollection {
        let units = self.units.iter().map(unit_feature);
        let zones = self.zones.iter().map(zone_feature);
        let licences = self.licences.iter().map(licence_feature);
        FeatureCollection { bbox: None, features: units.chain(zones).chain(licences).collect(), foreign_members: None }
    }
}

/// The file's text: one feature per line, so that a diff shows which features changed.
pub fn to_text(collection: &FeatureCollection) -> Result<String, serde_json::Error> {
    let mut out = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (i, feature) in collection.features.iter().enumerate() {
        if i > 0 {
            out.push_str(",\n");
        }
        out.push_str(&serde_json::to_string(feature)?);
    }
    out.push_str("\n]}\n");
    Ok(out)
}

fn feature(id: &str, properties: Value, polygon: Option<&Polygon>) -> Feature {
    let properties = match properties {
        Value::Object(map) => map.into_iter().filter(|(_, v)| !v.is_null()).collect::<JsonObject>(),
        _ => JsonObject::new(),
    };
    Feature {
        bbox: None,
        geometry: polygon.map(|p| Geometry::new(geojson::Value::Polygon(to_positions(p)))),
        id: Some(Id::String(id.to_string())),
        properties: Some(properties),
        foreign_members: None,
    }
}

fn unit_feature(u: &UnitDefined) -> Feature {
    let properties = json!({
        "kind": UNIT, "level": u.level, "name": u.name, "name_zh": u.name_zh, "parent": u.parent, "land_office": u.land_office,
    });
    feature(u.unit.as_str(), properties, u.boundary.as_ref())
}

fn zone_feature(entry: &ZoneEntry) -> Feature {
    let z = &entry.zone;
    let properties = json!({
        "kind": ZONE, "name": z.name, "village": z.village, "township": z.township, "valid_from": instant_text(z.valid_from),
        "officer": entry.assignment.as_ref().map(|a| &a.officer),
        "assigned_from": entry.assignment.as_ref().map(|a| instant_text(a.from)),
    });
    feature(z.zone.as_str(), properties, Some(&z.boundary))
}

fn licence_feature(entry: &LicenceEntry) -> Feature {
    let l = &entry.terms;
    let mut properties = json!({
        "kind": LICENCE, "holder": l.holder, "mineral": l.mineral, "right": l.right, "issuer": l.issuer,
        "valid_from": day_text(l.valid_from), "valid_to": day_text(l.valid_to), "top_m": l.top_m, "bottom_m": l.bottom_m,
        "villages": l.villages,
    });
    if let Some(cancelled) = entry.cancelled_from {
        properties["cancelled_from"] = json!(day_text(cancelled));
    }
    feature(l.licence.as_str(), properties, Some(&l.area))
}

/// County time (UTC+8), in which instants are written.
fn county_offset() -> FixedOffset {
    FixedOffset::east_opt((COUNTY_UTC_OFFSET_MS / 1000) as i32).expect("UTC+8 is a valid offset")
}

/// An instant as RFC 3339 in county time: `2026-01-01T00:00:00+08:00` (milliseconds shown when not 0).
pub fn instant_text(ms: i64) -> String {
    match DateTime::from_timestamp_millis(ms) {
        Some(t) => t.with_timezone(&county_offset()).to_rfc3339_opts(SecondsFormat::AutoSi, false),
        None => ms.to_string(),
    }
}

/// Reads an RFC 3339 instant with any offset, to Unix milliseconds (finer digits are dropped).
pub fn parse_instant(text: &str) -> Result<i64, String> {
    DateTime::parse_from_rfc3339(text).map(|t| t.timestamp_millis()).map_err(|e| format!("{text:?} is not an RFC 3339 time: {e}"))
}

/// A licence date: `2026-03-01` when the instant is a county midnight (the normal case), else the
/// full RFC 3339 instant, so that no value is lost.
pub fn day_text(ms: i64) -> String {
    let local = ms + COUNTY_UTC_OFFSET_MS;
    match DateTime::from_timestamp_millis(local) {
        Some(t) if local.rem_euclid(86_400_000) == 0 => t.date_naive().format("%Y-%m-%d").to_string(),
        _ => instant_text(ms),
    }
}

/// Reads a licence date (`YYYY-MM-DD`, the start of that day in county time) or an RFC 3339 instant.
pub fn parse_day(text: &str) -> Result<i64, String> {
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let midnight = date.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp_millis());
        return midnight.map(|ms| ms - COUNTY_UTC_OFFSET_MS).ok_or_else(|| format!("{text:?} has no midnight"));
    }
    parse_instant(text).map_err(|_| format!("{text:?} is neither a date YYYY-MM-DD nor an RFC 3339 time"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_are_written_in_county_time_and_read_with_any_offset() {
        let table = [
            (1_767_196_800_000, "2026-01-01T00:00:00+08:00"),
            (1_767_196_800_123, "2026-01-01T00:00:00.123+08:00"),
            (0, "1970-01-01T08:00:00+08:00"),
        ];
        for (ms, text) in table {
            assert_eq!(instant_text(ms), text);
            assert_eq!(parse_instant(text), Ok(ms));
        }
        assert_eq!(parse_instant("2025-12-31T16:00:00Z"), Ok(1_767_196_800_000));
        assert!(parse_instant("2026-01-01").is_err());
        assert!(parse_instant("1767196800000").is_err());
    }

    #[test]
    fn licence_dates_are_county_days_unless_the_instant_is_not_a_midnight() {
        let midnight = crate::tools::demo::county_midnight_ms(2026, 3, 1);
        let table = [
            (midnight, "2026-03-01"),
            (midnight + 1, "2026-03-01T00:00:00.001+08:00"),
            (midnight - 3_600_000, "2026-02-28T23:00:00+08:00"),
        ];
        for (ms, text) in table {
            assert_eq!(day_text(ms), text);
            assert_eq!(parse_day(text), Ok(ms));
        }
        for bad in ["2026-02-30", "01/03/2026", ""] {
            assert!(parse_day(bad).is_err(), "{bad}");
        }
    }
}
