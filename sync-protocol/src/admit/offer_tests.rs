//! The offer against the tables of docs/cases.md: who may take which step at which stage.

use super::*;
use crate::fold::{Head, Stage};
use crate::wire::cases::CaseAction::{self, *};

fn unit(s: &str) -> UnitId {
    UnitId::new(s).expect("unit")
}

fn user(s: &str) -> UserId {
    UserId::new(s).expect("user")
}

fn id(n: u128) -> EventId {
    EventId(uuid::Uuid::from_u128(n))
}

fn head(n: u128, stage: Stage) -> Head {
    Head { step: id(n), stage, outcome: None, by: user("ti-1"), at_ms: 0 }
}

/// A case of T01 at `stage` (`None`: in conflict between `heads`).
fn case(stage: Option<Stage>, heads: Vec<Head>) -> CaseSummary {
    CaseSummary {
        id: id(1),
        source: crate::body::CaseSource::Finding(id(99)),
        township: unit("T01"),
        status: stage.map_or("conflict".into(), |s| format!("{s:?}").to_lowercase()),
        stage,
        outcome: None,
        opened_by: user("ti-1"),
        opened_at: 0,
        last_step_at: 0,
        steps: heads.len(),
        steps_not_holding: 0,
        heads,
        overdue: None,
        major: None,
        stopped_at: None,
        rectify_deadlines: vec![],
        actions: vec![],
    }
}

fn at(stage: Stage) -> CaseSummary {
    case(Some(stage), vec![head(2, stage)])
}

fn offered(role: Role, name: &str, units: &[&str], c: &CaseSummary) -> Vec<CaseAction> {
    let (me, units) = (user(name), units.iter().map(|u| unit(u)).collect::<Vec<_>>());
    case_actions(&Viewer { user: &me, role, units: &units }, c)
}

fn inspector(c: &CaseSummary) -> Vec<CaseAction> {
    offered(Role::TownshipInspector, "ti-1", &["T01"], c)
}

fn county(c: &CaseSummary) -> Vec<CaseAction> {
    offered(Role::CountyAuditor, "ca-1", &["CTY"], c)
}

#[test]
fn each_stage_offers_the_steps_that_hold_there_to_those_who_may_take_them() {
    assert_eq!(inspector(&at(Stage::Received)), vec![Verify, Unfounded, Stop, Refer], "no action before verifying; major is the county's");
    assert_eq!(county(&at(Stage::Received)), vec![Verify, Unfounded, Stop, Major], "the county does not refer to itself");
    assert_eq!(inspector(&at(Stage::Verified)), vec![Stop, Rectify, Joint, Refer, Close]);
    assert_eq!(county(&at(Stage::Verified)), vec![Stop, Rectify, Joint, Major, Close]);
    assert_eq!(inspector(&at(Stage::Unfounded)), vec![CloseUnfounded]);
    assert_eq!(county(&at(Stage::Unfounded)), vec![CloseUnfounded]);
    assert_eq!(inspector(&at(Stage::Referred)), vec![Stop, Rectify, Joint], "a referred case is closed by the county");
    assert_eq!(county(&at(Stage::Referred)), vec![Stop, Rectify, Joint, Major, Close]);
    assert_eq!(inspector(&at(Stage::Closed)), vec![]);
    assert_eq!(county(&at(Stage::Closed)), vec![]);
}

#[test]
fn a_conflict_offers_its_resolution_and_one_with_a_referral_only_to_the_county() {
    let plain = case(None, vec![head(2, Stage::Verified), head(3, Stage::Closed)]);
    assert_eq!(inspector(&plain), vec![Resolve]);
    assert_eq!(county(&plain), vec![Resolve]);
    let referred = case(None, vec![head(2, Stage::Closed), head(3, Stage::Referred)]);
    assert_eq!(inspector(&referred), vec![], "a conflict that includes a referral is the county's");
    assert_eq!(county(&referred), vec![Resolve]);
}

#[test]
fn nobody_else_is_offered_a_step() {
    let c = at(Stage::Verified);
    assert_eq!(offered(Role::TownshipInspector, "ti-2", &["T02"], &c), vec![], "another township's inspector");
    for (role, name) in [(Role::Commissioner, "cm-1"), (Role::VillageOfficer, "vo-1"), (Role::Admin, "admin")] {
        assert_eq!(offered(role, name, &["T01"], &c), vec![], "{role:?}");
    }
}

#[test]
fn the_reach_is_every_township_for_the_county_and_their_own_for_an_inspector() {
    let reach_of = |role, units: &[&str]| {
        let (me, units) = (user("u"), units.iter().map(|u| unit(u)).collect::<Vec<_>>());
        reach(&Viewer { user: &me, role, units: &units })
    };
    let county = reach_of(Role::CountyAuditor, &["CTY"]);
    assert!(county.county && county.holds(&unit("T07")));
    let inspector = reach_of(Role::TownshipInspector, &["T01", "T02"]);
    assert_eq!(inspector, OfficeReach { county: false, townships: vec![unit("T01"), unit("T02")] });
    assert!(inspector.holds(&unit("T02")) && !inspector.holds(&unit("T03")));
    for role in [Role::Commissioner, Role::VillageOfficer, Role::Admin] {
        assert_eq!(reach_of(role, &["T01"]), OfficeReach::default(), "{role:?}");
    }
}

#[test]
fn each_step_body_is_taken_for_its_own_action() {
    let c = case(Some(Stage::Verified), vec![head(1, Stage::Verified)]);
    for action in CaseAction::ALL.into_iter().filter(|a| *a != Resolve) {
        assert_eq!(action_of(&step_body(action, &c)), Some(action), "{action:?}");
    }
    assert_eq!(action_of(&step_body(Resolve, &c)), None, "a resolution is no step on an open case");
}
