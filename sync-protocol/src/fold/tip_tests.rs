//! Tips in the fold: received, assigned, linked to a case, answered; informants kept apart.

use serde_json::json;

use super::Projection;
use super::case_tests::{event, id};
use crate::body::TipChannel;
use crate::ids::UnitId;

const T0: u64 = 1_764_131_257_000;

fn received(n: u16, township: &str) -> crate::event::Event {
    let body =
        json!({"v": 1, "channel": "petition", "content": "trucks of kaolin at night", "received_at": T0 - 3_600_000, "township": township});
    event(n, 1, T0 + u64::from(n), "county-1", "tip.received", body)
}

fn tip_event(n: u16, kind: &str, mut body: serde_json::Value) -> crate::event::Event {
    body["v"] = json!(1);
    body["tip"] = json!(id(1).to_string());
    event(n, 2, T0 + u64::from(n) * 1000, "ti-t01", kind, body)
}

#[test]
fn a_tip_is_open_until_answered_and_links_its_case_and_patrol() {
    let case = event(
        3,
        2,
        T0 + 3000,
        "ti-t01",
        "case.opened",
        json!({"v": 1, "source": {"tip": id(1).to_string()}, "township": "T01", "note": ""}),
    );
    let assigned = tip_event(2, "tip.assigned", json!({"township": "T01", "village": "T01-V02", "brief": "check the kaolin pit"}));
    let answered = tip_event(
        4,
        "tip.answered",
        json!({"township": "T01", "patrol": id(77).to_string(), "case": id(3).to_string(), "answer": "stopped"}),
    );
    let events = [received(1, "T01"), assigned.clone(), case.clone()];
    let p = Projection::fold(&events);
    assert_eq!(p.open_tips().map(|t| t.id).collect::<Vec<_>>(), vec![id(1)]);
    let tip = &p.tips[&id(1)];
    assert_eq!(
        (tip.channel, tip.cases.clone(), tip.assignments[0].village.as_ref().map(UnitId::as_str)),
        (Some(TipChannel::Petition), vec![id(3)], Some("T01-V02"))
    );

    let p = Projection::fold(&[received(1, "T01"), assigned, case.clone(), answered.clone()]);
    assert_eq!(p.open_tips().count(), 0);
    assert_eq!(p.tips[&id(1)].answer.as_ref().map(|a| (a.patrol, a.case)), Some((Some(id(77)), Some(id(3)))));

    // A case opened before the tip is folded (clock skew) is still linked.
    let mut early_case = case;
    early_case.hlc = crate::hlc::Hlc::new(T0 - 10, 0);
    assert_eq!(Projection::fold(&[received(1, "T01"), early_case]).tips[&id(1)].cases, vec![id(3)]);

    // A second answer is kept as a conflict; the first stands.
    let mut second = answered.clone();
    second.id = id(5);
    second.hlc = crate::hlc::Hlc::new(T0 + 9_000, 0);
    let p = Projection::fold(&[received(1, "T01"), answered, second]);
    assert_eq!((p.tips[&id(1)].answer.as_ref().map(|a| a.event), p.conflicts.len()), (Some(id(4)), 1));
}

#[test]
fn a_village_replica_knows_a_tip_only_by_its_assignment() {
    let assigned = tip_event(2, "tip.assigned", json!({"township": "T01", "village": "T01-V02", "brief": "check the kaolin pit"}));
    let p = Projection::fold(&[assigned]);
    let tip = &p.tips[&id(1)];
    assert_eq!((tip.content.as_deref(), tip.assignments[0].brief.as_str(), tip.is_open()), (None, "check the kaolin pit", true));
    assert!(p.informants.is_empty());
}

#[test]
fn a_reassignment_moves_the_tip_and_informants_stay_apart() {
    let informant = tip_event(2, "tip.informant", json!({"township": "T01", "name": "王五", "contact": "13900000000"}));
    let moved = tip_event(3, "tip.assigned", json!({"township": "T02", "brief": "kaolin trucks"}));
    let p = Projection::fold(&[received(1, "T01"), informant, moved]);
    assert_eq!(p.tips[&id(1)].township.as_str(), "T02");
    assert_eq!(p.informants[&id(1)].name, "王五");
    let public = p.without_informants();
    assert!(public.informants.is_empty());
    let text = serde_json::to_string(&public).expect("json");
    assert!(!text.contains("王五") && !text.contains("13900000000"), "{text}");
    assert!(serde_json::to_string(&p).expect("json").contains("王五"));
}
