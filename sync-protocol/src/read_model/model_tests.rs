//! The read model applied event by event, in any order of delivery and with duplicates, equals the
//! rows derived from the fold of every event; and the week's compliance from its rows equals the
//! compliance computed from the fold.

use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::compliance::tests::{case_on, county, finding, patrol, start, stopped, week, zero_report};
use crate::compliance::{ComplianceRules, DecisionTable, weekly, weekly_from};
use crate::crypto::Hash;
use crate::fold::case_tests::{event, id};

const H: i64 = 3_600_000;
const DAY: i64 = 24 * H;

/// Everything but the initial reference: patrols (one the week before), an amendment and one by
/// another officer, findings, attachments on a patrol and on a finding, cases with steps, a tip
/// reassigned to another township with a case on it, a zero report, and zone Z1 moved to another
/// village and township from the fourth day of the week on.
fn activity() -> Vec<Event> {
    let t = start();
    let amend = |n: u16, by: &str, patrol: u16| {
        let body = json!({"v": 1, "patrol": id(patrol).to_string(), "summary": format!("by {by}"), "result": "findings", "reason": "r"});
        event(n, 1, (t + 5 * H) as u64 + u64::from(n), by, "patrol.amended", body)
    };
    let attach = |n: u16, kind: &str, subject: u16| {
        let body = json!({"v": 1, "subject": {"kind": kind, "id": id(subject).to_string()}, "size": 10, "media_type": "image/jpeg",
            "sha256": format!("{:064x}", n)});
        event(n, 1, (t + 6 * H) as u64 + u64::from(n), "vo-1", "attachment.added", body)
    };
    let office = |n: u16, kind: &str, body: serde_json::Value| event(n, 2, (t + 8 * H) as u64 + u64::from(n), "ti-t01", kind, body);
    let moved = json!({"v": 1, "zone": "Z1", "village": "T02-V09", "township": "T02", "name": "Z1", "valid_from": t + 3 * DAY,
        "boundary": [[[1_145_000_000, 255_000_000], [1_146_000_000, 255_000_000], [1_146_000_000, 256_000_000], [1_145_000_000, 255_000_000]]]});
    let closed =
        json!({"v": 1, "case": id(22).to_string(), "township": "T01", "after": id(22).to_string(), "note": "", "outcome": "penalised"});
    vec![
        patrol(1, "vo-1", "Z1", t + H),
        patrol(2, "vo-1", "Z1", t + 4 * DAY),
        patrol(3, "vo-3", "Z2", t + 2 * DAY),
        patrol(4, "vo-2", "Z1", t - 2 * DAY),
        amend(5, "vo-1", 1),
        amend(6, "vo-2", 1),
        finding(11, "vo-1", 1, t + 4 * H, false),
        finding(12, "vo-1", 2, t + 4 * DAY + H, true),
        finding(13, "vo-3", 3, t + 2 * DAY + H, false),
        attach(41, "patrol", 1),
        attach(42, "finding", 11),
        case_on(21, 11, t + 5 * H),
        stopped(31, 21, t + 6 * H),
        case_on(22, 13, t + 3 * DAY),
        office(32, "case.closed", closed),
        office(51, "tip.received", json!({"v": 1, "channel": "hotline", "content": "c", "received_at": t, "township": "T01"})),
        office(52, "tip.assigned", json!({"v": 1, "tip": id(51).to_string(), "township": "T02", "brief": "b", "note": ""})),
        office(53, "case.opened", json!({"v": 1, "source": {"tip": id(51).to_string()}, "township": "T02", "note": ""})),
        zero_report(61, "vo-2"),
        event(1100, 0xee, 1_000_000_001_100, "system", "zone.defined", moved),
    ]
    .into_iter()
    .map(|mut e| {
        e.hash = Hash([e.seq as u8; 32]);
        e
    })
    .collect()
}

fn decisions() -> DecisionTable {
    let mut d = DecisionTable::default();
    d.counts.insert(id(1), true);
    d.counts.insert(id(3), false);
    d.flags.insert((UserId::new("vo-1").expect("user"), week()), 2);
    d
}

fn check(delivered: &[Event]) {
    let mut model = ReadModel::default();
    for e in delivered {
        model.apply(e);
    }
    let all: Vec<Event> = county().into_iter().chain(activity()).collect();
    let p = Projection::fold(&all);
    let hash_of = |i: &EventId| all.iter().find(|e| e.id == *i).map(|e| e.hash.to_hex());
    assert_eq!(model.rows, Rows::of_projection(&p, hash_of));
    let (rules, d) = (ComplianceRules::default(), decisions());
    for w in [week(), IsoWeek::of_ms(start() - DAY)] {
        let now = start() + 10 * DAY;
        assert_eq!(weekly_from(&model.week_facts(w, &d), w, &rules, now), weekly(&p, w, &rules, &d, now), "{w}");
    }
}

#[test]
fn in_log_order_the_rows_are_those_of_the_fold() {
    let delivered: Vec<Event> = county().into_iter().chain(activity()).collect();
    check(&delivered);
    let mut model = ReadModel::default();
    delivered.iter().for_each(|e| model.apply(e));
    // The moved zone placed patrol 2 (day 4) in T02, patrol 1 (day 0) stayed in T01.
    let township = |n| model.rows.patrols[&id(n)].1.as_ref().map(|(_, t)| t.to_string());
    assert_eq!((township(1), township(2)), (Some("T01".into()), Some("T02".into())));
    // Finding 11 is folded after its patrol (its HLC is later), so the patrol lists it and both
    // attachments; finding 12 comes before patrol 2 in fold order, so patrol 2 does not.
    let entry = &model.rows.patrols[&id(1)].0;
    assert_eq!((entry.summary.as_str(), entry.findings.len(), entry.attachments.len()), ("by vo-1", 1, 2));
    assert!(model.rows.patrols[&id(2)].0.findings.is_empty() && model.rows.findings.contains_key(&id(12)));
    assert_eq!(model.rows.cases.len(), 3);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Field and office events in any order, with some delivered twice, after the first reference.
    #[test]
    fn any_order_of_delivery_gives_the_rows_of_the_fold(
        order in Just(activity()).prop_shuffle(),
        again in proptest::collection::vec(0usize..20, 0..6),
    ) {
        let mut delivered = county();
        delivered.extend(order.iter().cloned());
        delivered.extend(again.iter().map(|i| order[*i].clone()));
        check(&delivered);
    }
}
