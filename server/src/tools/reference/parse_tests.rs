use serde_json::{Value, json};

use super::super::fixtures::{collection, county, feature, good, licence, square, township, village, with, zone};
use super::*;

fn rules(features: Vec<Value>, cap: usize) -> Vec<&'static str> {
    parse(&collection(features), cap, || {}).1.sorted().rules()
}

#[test]
fn a_good_file_parses_whole() {
    let (parsed, findings) = parse(&collection(good()), 100, || {});
    assert!(findings.is_empty(), "{findings}");
    let ids: Vec<_> = parsed.iter().map(|p| (p.item.kind(), p.item.id())).collect();
    assert_eq!(ids, [("unit", "CTY"), ("unit", "T1"), ("unit", "V1"), ("zone", "Z1"), ("licence", "L1")]);
}

#[test]
fn every_rule_of_the_file_and_its_features() {
    let bow_tie = json!([[[114.0, 25.0], [114.1, 25.1], [114.1, 25.0], [114.0, 25.1], [114.0, 25.0]]]);
    let hole_outside = json!([
        [[114.0, 25.0], [114.1, 25.0], [114.1, 25.1], [114.0, 25.1], [114.0, 25.0]],
        [[115.0, 26.0], [115.0, 26.1], [115.1, 26.1], [115.1, 26.0], [115.0, 26.0]]
    ]);
    let unclosed = json!([[[114.0, 25.0], [114.1, 25.0], [114.1, 25.1], [114.0, 25.1], [114.0, 25.2]]]);
    let three = json!([[[114.0, 25.0], [114.1, 25.0], [114.0, 25.0]]]);
    let far = json!([[[114.0, 25.0], [190.0, 25.0], [114.1, 25.1], [114.0, 95.0], [114.0, 25.0]]]);
    // 201 positions: 198 along the south edge, two northern corners, and the closing one.
    let mut many: Vec<Value> = (0..198).map(|i| json!([114.0 + f64::from(i) * 0.001, 25.0])).collect();
    many.extend([json!([114.197, 25.1]), json!([114.0, 25.1]), json!([114.0, 25.0])]);
    let table: Vec<(&str, Value, Vec<&str>)> = vec![
        ("bow-tie", with(zone(), "/geometry/coordinates", bow_tie), vec!["self_intersection"]),
        ("hole outside", with(zone(), "/geometry/coordinates", hole_outside), vec!["hole_outside_shell"]),
        ("unclosed ring", with(zone(), "/geometry/coordinates", unclosed), vec!["ring_not_closed"]),
        ("3-position ring", with(zone(), "/geometry/coordinates", three), vec!["ring_too_short"]),
        ("out of range", with(village(), "/geometry/coordinates", far), vec!["out_of_range", "out_of_range"]),
        ("too many vertices", with(village(), "/geometry/coordinates", json!([many])), vec!["too_many_vertices"]),
        (
            "multipolygon",
            with(zone(), "/geometry", json!({ "type": "MultiPolygon", "coordinates": [square(114.0, 25.0, 0.1)] })),
            vec!["multipolygon"],
        ),
        ("a point", with(zone(), "/geometry", json!({ "type": "Point", "coordinates": [114.0, 25.0] })), vec!["not_a_polygon"]),
        ("no geometry", with(zone(), "/geometry", Value::Null), vec!["malformed_feature"]),
        (
            "null geometry",
            json!({ "type": "Feature", "id": "Z1", "geometry": null, "properties": zone()["properties"] }),
            vec!["missing_geometry"],
        ),
        ("not a feature", json!({ "type": "Point", "coordinates": [1.0, 2.0] }), vec!["malformed_feature"]),
        ("no id", with(zone(), "/id", Value::Null), vec!["missing_id"]),
        ("numeric id", with(zone(), "/id", json!(7)), vec!["missing_id"]),
        ("bad id", with(zone(), "/id", json!("has space")), vec!["invalid_id"]),
        ("no kind", with(zone(), "/properties/kind", Value::Null), vec!["missing_kind"]),
        ("unknown kind", with(zone(), "/properties/kind", json!("road")), vec!["unknown_kind"]),
        ("missing name", with(zone(), "/properties/name", Value::Null), vec!["missing_property"]),
        ("unknown property", with(zone(), "/properties/colour", json!("red")), vec!["unknown_property"]),
        ("bad time", with(zone(), "/properties/valid_from", json!(1_767_196_800_000_i64)), vec!["invalid_property"]),
        ("officer without a start", with(zone(), "/properties/assigned_from", Value::Null), vec!["missing_property"]),
        ("a start without an officer", with(zone(), "/properties/officer", Value::Null), vec!["missing_property"]),
        ("unknown level", with(village(), "/properties/level", json!("hamlet")), vec!["invalid_property"]),
        ("unknown mineral", with(licence(), "/properties/mineral", json!("mithril")), vec!["invalid_property"]),
        ("bad date", with(licence(), "/properties/valid_to", json!("2029-02-30")), vec!["invalid_property"]),
        ("dates reversed", with(licence(), "/properties/valid_to", json!("2020-01-01")), vec!["invalid_property"]),
        ("levels reversed", with(licence(), "/properties/bottom_m", json!(500)), vec!["invalid_property"]),
        ("name too long", with(with(county(), "/properties/name", json!("x".repeat(201))), "/id", json!("CTY2")), vec!["invalid_property"]),
    ];
    for (name, bad, expected) in table {
        let features = vec![county(), township(), village(), bad];
        assert_eq!(rules(features, 100), expected, "{name}");
    }
}

#[test]
fn every_problem_of_a_feature_is_reported_not_only_the_first() {
    let bad =
        feature("has space", json!({ "kind": "licence", "holder": 3, "colour": "red", "valid_from": "soon" }), json!([[[114.0, 25.0]]]));
    let got = rules(vec![bad], 100);
    assert_eq!(
        got,
        [
            "ring_too_short",
            "invalid_id",
            "invalid_property", // holder
            "missing_property", // mineral
            "missing_property", // right
            "missing_property", // issuer
            "invalid_property", // valid_from
            "missing_property", // valid_to
            "missing_property", // top_m
            "missing_property", // bottom_m
            "missing_property", // villages
            "unknown_property", // colour
        ]
    );
}

#[test]
fn duplicates_are_per_kind_and_name_the_first() {
    let (_, findings) = parse(
        &collection(vec![
            county(),
            township(),
            with(township(), "/properties/name", json!("Again")),
            zone(),
            with(zone(), "/id", json!("T1")),
        ]),
        100,
        || {},
    );
    assert_eq!(findings.to_string(), "feature #2 (T1): duplicate_id: unit T1 is also feature #1\n");
}

#[test]
fn a_file_that_is_not_a_feature_collection_is_one_problem() {
    let table = [
        ("not json", "not_json"),
        ("[1, 2]", "not_feature_collection"),
        ("{\"type\": \"Feature\"}", "not_feature_collection"),
        ("{\"type\": \"FeatureCollection\"}", "not_feature_collection"),
        ("{\"features\": []}", "not_feature_collection"),
    ];
    for (text, rule) in table {
        assert_eq!(parse(text, 100, || {}).1.rules(), [rule], "{text}");
    }
    assert!(parse("{\"type\": \"FeatureCollection\", \"features\": []}", 100, || {}).1.is_empty());
}

#[test]
fn the_step_is_called_once_per_feature() {
    let mut steps = 0;
    parse(&collection(good()), 100, || steps += 1);
    assert_eq!(steps, 5);
}
