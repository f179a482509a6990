//! Hand-made reference features for the tests: a small county (county CTY, township T1, village
//! V1 with zone Z1 and licence L1), each feature a JSON value that a test can break one field of.

use serde_json::{Value, json};

/// A closed square ring of side `d` degrees with its south-west corner at (`lon`, `lat`).
pub fn square(lon: f64, lat: f64, d: f64) -> Value {
    json!([[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]])
}

pub fn feature(id: &str, properties: Value, coordinates: Value) -> Value {
    json!({ "type": "Feature", "id": id, "properties": properties, "geometry": { "type": "Polygon", "coordinates": coordinates } })
}

pub fn county() -> Value {
    feature("CTY", json!({ "kind": "unit", "level": "county", "name": "Test County", "name_zh": "测试县" }), square(114.0, 25.0, 1.0))
}

pub fn township() -> Value {
    let p = json!({ "kind": "unit", "level": "township", "name": "T One", "name_zh": "一乡", "parent": "CTY", "land_office": true });
    feature("T1", p, square(114.0, 25.0, 0.5))
}

pub fn village() -> Value {
    feature(
        "V1",
        json!({ "kind": "unit", "level": "village", "name": "V One", "name_zh": "一村", "parent": "T1" }),
        square(114.0, 25.0, 0.1),
    )
}

pub fn zone() -> Value {
    let p = json!({
        "kind": "zone", "name": "V One zone", "village": "V1", "township": "T1", "valid_from": "2026-01-01T00:00:00+08:00",
        "officer": "vo-1", "assigned_from": "2026-01-01T00:00:00+08:00",
    });
    feature("Z1", p, square(114.0, 25.0, 0.1))
}

pub fn licence() -> Value {
    let p = json!({
        "kind": "licence", "holder": "Tin Co.", "mineral": "tin", "right": "mining", "issuer": "county",
        "valid_from": "2024-03-01", "valid_to": "2029-03-01", "top_m": 400, "bottom_m": 250, "villages": ["V1"],
    });
    feature("L1", p, square(114.02, 25.02, 0.01))
}

pub fn collection(features: Vec<Value>) -> String {
    json!({ "type": "FeatureCollection", "features": features }).to_string()
}

/// The whole small county.
pub fn good() -> Vec<Value> {
    vec![county(), township(), village(), zone(), licence()]
}

/// `feature` with `path` (e.g. `/properties/name`) set to `value`, or removed when `value` is null.
pub fn with(mut feature: Value, path: &str, value: Value) -> Value {
    let (parent, key) = path.rsplit_once('/').unwrap_or(("", path));
    if let Some(Value::Object(map)) = feature.pointer_mut(parent) {
        if value.is_null() {
            map.remove(key);
        } else {
            map.insert(key.to_string(), value);
        }
    }
    feature
}
