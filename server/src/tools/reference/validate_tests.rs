use serde_json::{Value, json};
use sync_protocol::body::{Body, Role, UserEnrolled};
use sync_protocol::ids::{UnitId, UserId};

use super::super::fixtures::{collection, county, good, licence, township, village, with, zone};
use super::*;

fn user(id: &str, role: Role) -> UserEnrolled {
    UserEnrolled {
        user: UserId::new(id).expect("id"),
        display_name: id.into(),
        role,
        units: vec![UnitId::new("V1").expect("id")],
        phone: None,
        by: None,
    }
}

fn officer_store() -> Stored {
    Stored::fold(&[Body::UserEnrolled(user("vo-1", Role::VillageOfficer)), Body::UserEnrolled(user("ti-1", Role::TownshipInspector))])
}

fn check(features: Vec<Value>, stored: &Stored) -> Result<Plan, Findings> {
    validate(&collection(features), stored, &[], Limits::default(), 1_790_000_000_000, || {})
}

fn rules(features: Vec<Value>, stored: &Stored) -> Vec<&'static str> {
    check(features, stored).err().map(|f| f.rules()).unwrap_or_default()
}

/// The store after importing `features` into `stored`.
fn imported(features: Vec<Value>, stored: &Stored) -> Stored {
    let plan = check(features, stored).expect("valid");
    let mut after = stored.clone();
    plan.bodies.iter().for_each(|b| after.apply(b));
    after
}

#[test]
fn every_reference_rule() {
    let t2 = with(with(township(), "/id", json!("T2")), "/properties/name", json!("T Two"));
    let table: Vec<(&str, Vec<Value>, Vec<&str>)> = vec![
        ("the small county", good(), vec![]),
        (
            "dangling parent",
            vec![county(), township(), with(village(), "/properties/parent", json!("T9")), zone()],
            vec!["unknown_reference", "township_mismatch"],
        ),
        ("village under the county", vec![county(), township(), with(village(), "/properties/parent", json!("CTY"))], vec!["wrong_level"]),
        ("township under a township", vec![county(), township(), with(t2.clone(), "/properties/parent", json!("T1"))], vec!["wrong_level"]),
        ("county with a parent", vec![with(county(), "/properties/parent", json!("T1")), township()], vec!["invalid_property"]),
        ("township without a parent", vec![county(), with(township(), "/properties/parent", Value::Null)], vec!["missing_property"]),
        (
            "zone in an unknown village",
            vec![county(), township(), with(zone(), "/properties/village", json!("V9"))],
            vec!["unknown_reference"],
        ),
        (
            "zone's village is a township",
            vec![county(), township(), t2.clone(), with(zone(), "/properties/village", json!("T2"))],
            vec!["wrong_level"],
        ),
        (
            "zone's township is not the village's",
            vec![county(), township(), t2, village(), with(zone(), "/properties/township", json!("T2"))],
            vec!["township_mismatch"],
        ),
        (
            "licence in an unknown village",
            vec![county(), township(), village(), with(licence(), "/properties/villages", json!(["V1", "V7"]))],
            vec!["unknown_reference"],
        ),
        (
            "unknown officer",
            vec![county(), township(), village(), with(zone(), "/properties/officer", json!("vo-9"))],
            vec!["unknown_reference"],
        ),
        (
            "an inspector as officer",
            vec![county(), township(), village(), with(zone(), "/properties/officer", json!("ti-1"))],
            vec!["not_village_officer"],
        ),
        (
            "one officer on two zones",
            vec![county(), township(), village(), zone(), with(zone(), "/id", json!("Z2"))],
            vec!["officer_twice"],
        ),
    ];
    for (name, features, expected) in table {
        assert_eq!(rules(features, &officer_store()), expected, "{name}");
    }
}

#[test]
fn references_resolve_in_the_store_too() {
    let store = imported(vec![county(), township(), village()], &officer_store());
    let plan = check(vec![zone(), licence()], &store).expect("resolves in the store");
    assert_eq!((plan.summary.zones, plan.summary.assignments, plan.summary.licences), (1, 1, 1));
}

#[test]
fn units_are_authored_parents_first_then_zones_assignments_licences() {
    let plan = check(vec![licence(), zone(), village(), township(), county()], &officer_store()).expect("valid");
    let kinds: Vec<String> = plan.bodies.iter().map(|b| format!("{}:{}", b.kind(), b.to_value()["unit"].as_str().unwrap_or(""))).collect();
    assert_eq!(kinds, ["unit.defined:CTY", "unit.defined:T1", "unit.defined:V1", "zone.defined:", "assignment.set:", "licence.granted:"]);
    assert_eq!(plan.summary.to_string(), "3 units, 1 zones, 1 licences, 1 assignments authored; 0 unchanged");
}

#[test]
fn only_what_changed_is_authored() {
    let store = imported(good(), &officer_store());
    let later = "2026-06-01T00:00:00+08:00";
    let earlier = "2025-06-01T00:00:00+08:00";
    let moved = json!([[[114.0, 25.0], [114.2, 25.0], [114.2, 25.1], [114.0, 25.1], [114.0, 25.0]]]);
    type Counts = (usize, usize, usize, usize);
    let table: Vec<(&str, Value, Result<Counts, &str>)> = vec![
        ("the same zone", zone(), Ok((0, 0, 0, 6))),
        ("a new name", with(zone(), "/properties/name", json!("renamed")), Ok((0, 1, 0, 5))),
        (
            "a new boundary from later",
            with(with(zone(), "/geometry/coordinates", moved.clone()), "/properties/valid_from", json!(later)),
            Ok((0, 1, 0, 5)),
        ),
        (
            "a new boundary from earlier",
            with(with(zone(), "/geometry/coordinates", moved), "/properties/valid_from", json!(earlier)),
            Err("zone_version_before_current"),
        ),
        ("reassigned later", with(zone(), "/properties/assigned_from", json!(later)), Ok((0, 0, 1, 5))),
        ("reassigned earlier", with(zone(), "/properties/assigned_from", json!(earlier)), Err("assignment_before_current")),
        (
            "no officer in the file",
            with(with(zone(), "/properties/officer", Value::Null), "/properties/assigned_from", Value::Null),
            Ok((0, 0, 0, 5)),
        ),
    ];
    for (name, changed, expected) in table {
        let features = vec![county(), township(), village(), changed, licence()];
        let got = check(features, &store)
            .map(|p| (p.summary.units, p.summary.zones, p.summary.assignments, p.summary.unchanged))
            .map_err(|f| f.rules()[0]);
        assert_eq!(got, expected, "{name}");
    }
    let renamed = vec![with(county(), "/properties/name", json!("Renamed County"))];
    assert_eq!(check(renamed, &store).map(|p| p.summary.units), Ok(1), "a changed unit is defined again");
}

#[test]
fn a_changed_licence_becomes_lifecycle_events_and_an_unchangeable_one_is_refused_by_name() {
    let store = imported(good(), &officer_store());
    let plan = check(vec![with(licence(), "/properties/holder", json!("Other Co."))], &store).expect("a transfer");
    assert_eq!(plan.bodies.iter().map(Body::kind).collect::<Vec<_>>(), ["licence.transferred"]);
    let cancelled = check(vec![with(licence(), "/properties/cancelled_from", json!("2026-10-01"))], &store).expect("a cancellation");
    assert_eq!(cancelled.bodies.iter().map(Body::kind).collect::<Vec<_>>(), ["licence.cancelled"]);
    let findings = check(vec![with(licence(), "/properties/issuer", json!("city"))], &store).expect_err("the issuer");
    assert_eq!(
        findings.to_string(),
        "feature #0 (L1): licence_unchangeable: licence L1: the issuer cannot change in a lifecycle event; grant a new licence\n"
    );
}

#[test]
fn every_problem_of_every_feature_in_one_report_in_file_order() {
    let bad = vec![
        county(),
        with(township(), "/properties/colour", json!("red")),
        with(village(), "/properties/parent", json!("T9")),
        with(zone(), "/properties/kind", json!("road")),
        with(licence(), "/geometry/coordinates", json!([[[114.0, 25.0], [114.1, 25.1], [114.1, 25.0], [114.0, 25.1], [114.0, 25.0]]])),
        with(zone(), "/id", json!("Z2")),
        with(zone(), "/id", json!("Z2")),
    ];
    let findings = check(bad, &officer_store()).expect_err("invalid");
    let lines: Vec<String> = findings.0.iter().map(|f| format!("{:?} {}", f.at, f.problem.rule())).collect();
    assert_eq!(
        lines,
        [
            "Feature { index: 1, id: Some(\"T1\") } unknown_property",
            "Feature { index: 2, id: Some(\"V1\") } unknown_reference",
            "Feature { index: 3, id: Some(\"Z1\") } unknown_kind",
            "Feature { index: 4, id: Some(\"L1\") } self_intersection",
            // V1's parent T9 is unknown, so V1 is not in T1; the second Z2 is checked too.
            "Feature { index: 5, id: Some(\"Z2\") } unknown_reference",
            "Feature { index: 5, id: Some(\"Z2\") } township_mismatch",
            "Feature { index: 6, id: Some(\"Z2\") } duplicate_id",
            "Feature { index: 6, id: Some(\"Z2\") } unknown_reference",
            "Feature { index: 6, id: Some(\"Z2\") } township_mismatch",
            "Feature { index: 6, id: Some(\"Z2\") } officer_twice",
        ]
    );
}
