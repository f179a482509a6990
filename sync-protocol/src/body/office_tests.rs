//! Case and tip bodies refuse what their rules forbid (each one's sample round-trips in `kinds_tests`).

use serde_json::{Value, json};

use super::{Body, kind};

const ID: &str = "0192f0c1-7a3b-7c00-8000-000000000001";
const DEADLINE: i64 = 1_767_196_800_000;

fn step(extra: Value) -> Value {
    let mut body = json!({"v": 1, "case": ID, "township": "T01", "after": ID, "note": "checked on site"});
    if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
        b.extend(e);
    }
    body
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
