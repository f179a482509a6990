//! Case and tip bodies: each kind parses, round-trips, and refuses what its rules forbid.

use serde_json::{Value, json};

use super::{Authorship, Body, kind};

const ID: &str = "0192f0c1-7a3b-7c00-8000-000000000001";
const DEADLINE: i64 = 1_767_196_800_000;

fn step(extra: Value) -> Value {
    let mut body = json!({"v": 1, "case": ID, "township": "T01", "after": ID, "note": "checked on site"});
    if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
        b.extend(e);
    }
    body
}

fn valid() -> Vec<(&'static str, Value)> {
    vec![
        (kind::CASE_OPENED, json!({"v": 1, "source": {"finding": ID}, "township": "T01", "note": ""})),
        (kind::CASE_OPENED, json!({"v": 1, "source": {"tip": ID}, "township": "T01", "note": "from the hotline"})),
        (kind::CASE_VERIFIED, step(json!({"verdict": "unfounded"}))),
        (kind::CASE_STOPPED, step(json!({}))),
        (kind::CASE_ACTION_TAKEN, step(json!({"action": "rectify_order", "deadline": DEADLINE}))),
        (kind::CASE_ACTION_TAKEN, step(json!({"action": "joint_action", "departments": ["police", "environment"]}))),
        (kind::CASE_REFERRED, step(json!({}))),
        (kind::CASE_MARKED_MAJOR, step(json!({"deadline": DEADLINE}))),
        (kind::CASE_CLOSED, step(json!({"outcome": "penalised"}))),
        (
            kind::CASE_CONFLICT_RESOLVED,
            json!({"v": 1, "case": ID, "township": "T01", "heads": [ID, "0192f0c1-7a3b-7c00-8000-000000000002"], "keep": ID, "note": "county decides"}),
        ),
        (kind::TIP_RECEIVED, json!({"v": 1, "channel": "report_box", "content": "挖砂", "received_at": DEADLINE, "township": "T01"})),
        (kind::TIP_INFORMANT, json!({"v": 1, "tip": ID, "township": "T01", "contact": "13900000000"})),
        (
            kind::TIP_ASSIGNED,
            json!({"v": 1, "tip": ID, "township": "T01", "village": "T01-V01", "brief": "check", "location": {"lon": 1_145_000_000, "lat": 255_000_000}}),
        ),
        (kind::TIP_ANSWERED, json!({"v": 1, "tip": ID, "township": "T01", "case": ID, "answer": "case opened"})),
    ]
}

#[test]
fn every_case_and_tip_kind_round_trips_and_is_an_office_record() {
    for (k, body) in valid() {
        let parsed = Body::parse(k, &body).unwrap_or_else(|e| panic!("{k}: {e}"));
        assert_eq!((parsed.kind(), parsed.to_value()), (k, body), "{k}");
        assert_eq!(parsed.authorship(), Authorship::Office, "{k}");
        assert_eq!(parsed.is_confidential(), k == kind::TIP_INFORMANT, "{k}");
    }
}

#[test]
fn case_and_tip_bodies_refuse_what_their_rules_forbid() {
    let resolved = |heads: Value, keep: &str| json!({"v": 1, "case": ID, "township": "T01", "heads": heads, "keep": keep, "note": "x"});
    let other = "0192f0c1-7a3b-7c00-8000-000000000002";
    #[rustfmt::skip]
    let table: Vec<(&str, Value)> = vec![
        (kind::CASE_OPENED, json!({"v": 1, "source": {"patrol": ID}, "township": "T01", "note": ""})),
        (kind::CASE_VERIFIED, step(json!({"verdict": "maybe"}))),
        (kind::CASE_ACTION_TAKEN, step(json!({"action": "rectify_order"}))),
        (kind::CASE_ACTION_TAKEN, step(json!({"action": "rectify_order", "deadline": 5}))),
        (kind::CASE_ACTION_TAKEN, step(json!({"action": "joint_action"}))),
        (kind::CASE_ACTION_TAKEN, step(json!({"action": "joint_action", "departments": ["police", "police"]}))),
        (kind::CASE_ACTION_TAKEN, step(json!({"action": "joint_action", "departments": ["tax"]}))),
        (kind::CASE_ACTION_TAKEN, step(json!({"action": "joint_action", "departments": ["police"], "deadline": DEADLINE}))),
        (kind::CASE_REFERRED, step(json!({"note": "  "}))),
        (kind::CASE_CLOSED, step(json!({"outcome": "rectified", "note": ""}))),
        (kind::CASE_MARKED_MAJOR, step(json!({}))),
        (kind::CASE_STOPPED, step(json!({"note": "x".repeat(2_001)}))),
        (kind::CASE_STOPPED, step(json!({"extra": 1}))),
        (kind::CASE_CONFLICT_RESOLVED, resolved(json!([ID]), ID)),
        (kind::CASE_CONFLICT_RESOLVED, resolved(json!([ID, ID]), ID)),
        (kind::CASE_CONFLICT_RESOLVED, resolved(json!([other, "0192f0c1-7a3b-7c00-8000-000000000003"]), ID)),
        (kind::TIP_RECEIVED, json!({"v": 1, "channel": "email", "content": "x", "received_at": DEADLINE, "township": "T01"})),
        (kind::TIP_RECEIVED, json!({"v": 1, "channel": "hotline", "content": " ", "received_at": DEADLINE, "township": "T01"})),
        (kind::TIP_INFORMANT, json!({"v": 1, "tip": ID, "township": "T01"})),
        (kind::TIP_ASSIGNED, json!({"v": 1, "tip": ID, "township": "T01", "brief": ""})),
        (kind::TIP_ANSWERED, json!({"v": 1, "tip": ID, "township": "T01", "answer": ""})),
        (kind::TIP_ANSWERED, json!({"v": 2, "tip": ID, "township": "T01", "answer": "x"})),
    ];
    for (k, body) in table {
        assert!(Body::parse(k, &body).is_err(), "{k} {body} must be refused");
    }
}
