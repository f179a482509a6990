//! Events of every kind for property tests of folds kept in parts (here and in `client/`): drawn
//! from small numbers, and full of references between them (to an event of the right kind that
//! sorts before or after, or to one that does not exist), so conflicts, waiting steps and joins
//! all happen. Bodies are valid except for one kind no build knows (folded as unreadable).

use serde_json::{Value, json};

use crate::event::EventDraft;
use crate::hlc::Hlc;
use crate::ids::{DeviceId, EventId, UserId};

/// One drawn event: what `kind` (taken modulo the kinds), two small choices `a` and `b`
/// (references, ids, variants), the device (of 3) and its time (seconds after a fixed start).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleSpec {
    pub kind: u8,
    pub a: u8,
    pub b: u8,
    pub device: u8,
    pub at_s: u16,
}

const T0: i64 = 1_764_131_257_000;
const KINDS: [&str; 21] = [
    "patrol.recorded",
    "patrol.amended",
    "finding.reported",
    "zero_report.filed",
    "unit.defined",
    "zone.defined",
    "user.enrolled",
    "assignment.set",
    "licence.granted",
    "licence.extended",
    "licence.cancelled",
    "attachment.added",
    "case.opened",
    "case.verified",
    "case.closed",
    "tip.received",
    "tip.assigned",
    "tip.answered",
    "tip.informant",
    "user.disabled",
    "future.kind",
];
const USERS: [&str; 3] = ["vo-t01-v01", "vo-t01-v02", "ti-t01-1"];

/// The id of the `n`-th drawn event (0-based); ids past the events drawn name nothing.
pub fn sample_id(n: usize) -> EventId {
    EventId(uuid::Uuid::from_u128(0x0192_f0c1_7a3b_7c00_8000_0000_0000_0000 + n as u128 + 1))
}

/// The device of index `d` (of 3).
pub fn sample_device(d: u8) -> DeviceId {
    DeviceId(uuid::Uuid::from_u128(0x0192_f0c1_0000_7000_8000_0000_0000_0000 + u128::from(d % 3) + 1))
}

/// The drafts of `specs`, in the order drawn: the `n`-th has id [`sample_id`]`(n)` and seq `n + 1`
/// (so fold keys are unique), authored by the user of its device. Unsealed: hash as you need.
pub fn sample_drafts(specs: &[SampleSpec]) -> Vec<EventDraft> {
    let kinds: Vec<&str> = specs.iter().map(|s| KINDS[usize::from(s.kind) % KINDS.len()]).collect();
    let of_kind = |wanted: &[&str], pick: u8| -> String {
        let ids: Vec<usize> = (0..specs.len()).filter(|i| wanted.contains(&kinds[*i])).collect();
        let i = usize::from(pick) % (ids.len() + 1);
        ids.get(i).map_or_else(|| sample_id(specs.len() + i), |n| sample_id(*n)).to_string()
    };
    specs
        .iter()
        .enumerate()
        .map(|(n, s)| EventDraft {
            id: sample_id(n),
            device_id: sample_device(s.device),
            seq: n as u64 + 1,
            hlc: Hlc::new((T0 + i64::from(s.at_s) * 1_000) as u64, 0),
            author: UserId::new(USERS[usize::from(s.device % 3)]).unwrap_or_else(|e| panic!("sample user: {e}")),
            kind: kinds[n].to_owned(),
            body: body(kinds[n], s, &of_kind),
            prev: crate::crypto::Hash::ZERO,
        })
        .collect()
}

fn square(lon: i64, lat: i64) -> Value {
    json!([[[lon, lat], [lon + 10_000, lat], [lon + 10_000, lat + 10_000], [lon, lat + 10_000], [lon, lat]]])
}

fn body(kind: &str, s: &SampleSpec, of_kind: &dyn Fn(&[&str], u8) -> String) -> Value {
    let (a, b) = (i64::from(s.a), i64::from(s.b));
    let at = T0 + i64::from(s.at_s) * 1_000;
    let zone = format!("Z-T01-V0{}", 1 + a % 2);
    let user = USERS[usize::from(s.a) % 2];
    let licence = format!("C360000200{}", a % 3);
    let case_steps = ["case.opened", "case.verified", "case.closed"];
    match kind {
        "patrol.recorded" => json!({"v": 1, "zone": zone, "started_at": at, "ended_at": at + 120_000,
            "track": [[at, 1_145_000_000 + a, 255_000_000, 5], [60_000, 900, 700, 5], [60_000, 900, 700, 5]],
            "summary": format!("patrol {a}"), "result": if b % 2 == 0 { "nothing_found" } else { "findings" }}),
        "patrol.amended" => {
            json!({"v": 1, "patrol": of_kind(&["patrol.recorded"], s.a), "reason": "typo", "summary": format!("amended {b}")})
        }
        "finding.reported" => json!({"v": 1, "patrol": of_kind(&["patrol.recorded"], s.a), "zone": zone, "kind": "unlicensed_mining",
            "location": {"lon": 1_145_000_500, "lat": 254_999_500}, "description": "open pit", "stopped_on_spot": b % 2 == 0, "observed_at": at}),
        "zero_report.filed" => {
            json!({"v": 2, "officer": user, "week": format!("2025-W{}", 48 + b % 2), "zone": zone, "note": format!("note {a}")})
        }
        "unit.defined" => {
            json!({"v": 1, "unit": format!("T01-V0{}", 1 + a % 2), "level": "village", "name": format!("v{b}"), "name_zh": "村",
            "parent": "T01", "land_office": false, "boundary": square(1_144_900_000, 254_900_000)})
        }
        "zone.defined" => json!({"v": 1, "zone": zone, "village": "T01-V01", "township": "T01", "name": format!("zone {b}"),
            "boundary": square(1_144_910_000 + b, 254_910_000), "valid_from": T0 - b * 86_400_000}),
        "user.enrolled" => {
            json!({"v": 1, "user": user, "display_name": format!("officer {b}"), "role": "village_officer", "units": ["T01-V01"]})
        }
        "assignment.set" => json!({"v": 1, "officer": user, "zone": format!("Z-T01-V0{}", 1 + b % 2), "from": T0 - (b % 3) * 86_400_000}),
        "licence.granted" => {
            json!({"v": 1, "licence": licence, "holder": format!("holder {b}"), "mineral": "rare_earth", "right": "mining",
            "issuer": "county", "valid_from": T0 - 86_400_000, "valid_to": T0 + b * 86_400_000 + 1, "area": square(1_145_015_000, 255_015_000),
            "top_m": 420, "bottom_m": 180, "villages": ["T01-V01"]})
        }
        "licence.extended" => {
            json!({"v": 1, "licence": licence, "valid_to": at + 86_400_000, "effective_from": at, "reason": format!("extended {b}")})
        }
        "licence.cancelled" => json!({"v": 1, "licence": licence, "effective_from": at, "reason": "closed"}),
        "attachment.added" => {
            let (subject, kinds): (&str, &[&str]) = match b % 4 {
                0 => ("patrol", &["patrol.recorded"]),
                1 => ("finding", &["finding.reported"]),
                2 => ("tip", &["tip.received"]),
                _ => ("case", &["case.opened"]),
            };
            json!({"v": 1, "subject": {"kind": subject, "id": of_kind(kinds, s.a)},
                "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "size": 1234, "media_type": "image/jpeg"})
        }
        "case.opened" => {
            let source = if b % 2 == 0 {
                json!({"tip": of_kind(&["tip.received"], s.a)})
            } else {
                json!({"finding": of_kind(&["finding.reported"], s.a)})
            };
            json!({"v": 1, "source": source, "township": "T01", "note": "received"})
        }
        "case.verified" => json!({"v": 1, "case": of_kind(&["case.opened"], s.a), "township": "T01", "after": of_kind(&case_steps, s.b),
            "verdict": if b % 2 == 0 { "confirmed" } else { "unfounded" }, "note": "checked"}),
        "case.closed" => json!({"v": 1, "case": of_kind(&["case.opened"], s.a), "township": "T01", "after": of_kind(&case_steps, s.b),
            "outcome": "rectified", "note": "done"}),
        "tip.received" => json!({"v": 1, "channel": "petition", "content": format!("tip {a}"), "received_at": at - 3_600_000,
            "township": format!("T0{}", 1 + b % 2)}),
        "tip.assigned" => {
            json!({"v": 1, "tip": of_kind(&["tip.received"], s.a), "township": format!("T0{}", 1 + b % 2), "brief": "check it"})
        }
        "tip.answered" => json!({"v": 1, "tip": of_kind(&["tip.received"], s.a), "township": "T01", "answer": format!("answer {b}")}),
        "tip.informant" => json!({"v": 1, "tip": of_kind(&["tip.received"], s.a), "township": "T01", "name": format!("informant {b}"),
            "contact": "13900000000"}),
        "user.disabled" => json!({"v": 1, "user": user, "by": "admin"}),
        _ => json!({"v": 1, "what": a}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::Body;

    /// Every kind but the unknown one parses, so the property tests fold every kind.
    #[test]
    fn every_sample_kind_but_the_unknown_one_parses() {
        let specs: Vec<SampleSpec> =
            (0..KINDS.len() as u8 * 4).map(|k| SampleSpec { kind: k, a: k / 3, b: k / 2, device: k, at_s: u16::from(k) }).collect();
        for d in sample_drafts(&specs) {
            let parsed = Body::parse(&d.kind, &d.body);
            assert_eq!(parsed.is_ok(), d.kind != "future.kind", "{}: {:?} {}", d.kind, parsed.err(), d.body);
        }
    }
}
