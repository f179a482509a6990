//! Who may record case and tip steps, as a table over roles, townships and case facts.

use std::convert::Infallible;

use super::{Authority, Caller, Denied, authorise};
use crate::body::{
    Body, CaseClosed, CaseConflictResolved, CaseMarkedMajor, CaseOpened, CaseReferred, CaseSource, CaseStopped, Outcome, Role, TipAnswered,
    TipAssigned, TipChannel, TipInformant, TipReceived,
};
use crate::fold::{Stage, StepStage};
use crate::ids::{DeviceId, EventId, UnitId, UserId, ZoneId};

struct Facts {
    /// The townships the caller answers for.
    answers_for: Vec<&'static str>,
    case_township: Option<&'static str>,
    /// Where the case stood after each step a body names.
    stage_after: fn(&EventId) -> StepStage,
    /// The township of the finding or tip the body acts on, when stored.
    record_township: Option<&'static str>,
}

impl Authority for Facts {
    type Error = Infallible;
    fn was_assigned(&self, _: &UserId, _: &ZoneId, _: i64, _: i64) -> Result<bool, Infallible> {
        Ok(true)
    }
    fn had_any_zone(&self, _: &UserId, _: i64, _: i64) -> Result<bool, Infallible> {
        Ok(true)
    }
    fn patrol_author(&self, _: &EventId) -> Result<Option<UserId>, Infallible> {
        Ok(None)
    }
    fn inspects(&self, _: &UserId, township: &UnitId) -> Result<bool, Infallible> {
        Ok(self.answers_for.contains(&township.as_str()))
    }
    fn subject(&self, _: &crate::body::Subject) -> Result<Option<crate::admit::SubjectFacts>, Infallible> {
        Ok(self.record_township.map(|t| crate::admit::SubjectFacts { author: None, township: Some(unit(t)) }))
    }
    fn case_township(&self, _: &EventId) -> Result<Option<UnitId>, Infallible> {
        Ok(self.case_township.map(unit))
    }
    fn case_stage_after(&self, _: &EventId, step: &EventId) -> Result<StepStage, Infallible> {
        Ok((self.stage_after)(step))
    }
}

fn unit(s: &str) -> UnitId {
    UnitId::new(s).expect("unit")
}

fn id(n: u8) -> EventId {
    format!("0192f0c1-7a3b-7c00-8000-0000000000{n:02x}").parse().expect("id")
}

fn caller(role: Role) -> Caller {
    Caller { user: UserId::new("someone").expect("user"), device: DeviceId(id(0xdd).0), role }
}

fn opened(t: &str) -> Body {
    Body::CaseOpened(CaseOpened { source: CaseSource::Finding(id(1)), township: unit(t), note: String::new() })
}

fn stopped(t: &str) -> Body {
    Body::CaseStopped(CaseStopped { case: id(2), township: unit(t), after: id(2), note: String::new() })
}

fn referred(t: &str) -> Body {
    Body::CaseReferred(CaseReferred { case: id(2), township: unit(t), after: id(2), note: "beyond our means".into() })
}

fn major(t: &str) -> Body {
    Body::CaseMarkedMajor(CaseMarkedMajor {
        case: id(2),
        township: unit(t),
        after: id(2),
        deadline: 1_767_196_800_000,
        note: "督办".into(),
    })
}

fn closed(t: &str) -> Body {
    Body::CaseClosed(CaseClosed { case: id(2), township: unit(t), after: id(2), outcome: Outcome::Rectified, note: "done".into() })
}

fn resolved(t: &str) -> Body {
    Body::CaseConflictResolved(CaseConflictResolved {
        case: id(2),
        township: unit(t),
        heads: vec![id(3), id(4)],
        keep: id(3),
        note: "x".into(),
    })
}

fn tip(t: &str) -> Body {
    Body::TipReceived(TipReceived {
        channel: TipChannel::Hotline,
        content: "digging at night".into(),
        location: None,
        received_at: 1_764_131_257_000,
        township: unit(t),
    })
}

fn informant(t: &str) -> Body {
    Body::TipInformant(TipInformant { tip: id(5), township: unit(t), name: "李四".into(), contact: String::new() })
}

fn answered(t: &str) -> Body {
    Body::TipAnswered(TipAnswered { tip: id(5), township: unit(t), patrol: None, case: None, answer: "checked".into() })
}

fn assigned(t: &str) -> Body {
    Body::TipAssigned(TipAssigned {
        tip: id(5),
        township: unit(t),
        village: None,
        brief: "check it".into(),
        location: None,
        note: String::new(),
    })
}

/// Every step a body names is held, and the case stood verified after it.
fn all_verified(_: &EventId) -> StepStage {
    StepStage::At(Stage::Verified)
}

/// Step 4 is a referral (the case stood referred after it); every other step a verification.
fn four_referred(step: &EventId) -> StepStage {
    if *step == id(4) { StepStage::At(Stage::Referred) } else { StepStage::At(Stage::Verified) }
}

fn none_held(_: &EventId) -> StepStage {
    StepStage::NotHeld
}

fn none_holds(_: &EventId) -> StepStage {
    StepStage::DoesNotHold
}

const MINE: Facts = Facts { answers_for: vec![], case_township: None, stage_after: all_verified, record_township: None };

#[test]
fn case_and_tip_steps_follow_role_and_township() {
    let t01 = || Facts { answers_for: vec!["T01"], ..MINE };
    let in_t02 = || Facts { answers_for: vec!["T01"], case_township: Some("T02"), ..MINE };
    let referred_case =
        || Facts { answers_for: vec!["T01"], case_township: Some("T01"), stage_after: |_| StepStage::At(Stage::Referred), ..MINE };
    // Heads 3 (verified) and 4 (referred): a conflict that includes a referral.
    let with_referral = || Facts { answers_for: vec!["T01"], case_township: Some("T01"), stage_after: four_referred, ..MINE };
    let not_held = || Facts { answers_for: vec!["T01"], case_township: Some("T01"), stage_after: none_held, ..MINE };
    let not_holding = || Facts { answers_for: vec!["T01"], case_township: Some("T01"), stage_after: none_holds, ..MINE };
    // The finding or tip the body acts on lies in T02, or in T01.
    let record_in = |t| Facts { answers_for: vec!["T01"], record_township: Some(t), ..MINE };
    let county_record_in = |t| Facts { record_township: Some(t), ..MINE };
    #[rustfmt::skip]
    let table: Vec<(Role, Body, Facts, Option<&str>)> = vec![
        (Role::TownshipInspector, opened("T01"), t01(), None),
        (Role::TownshipInspector, opened("T02"), t01(), Some("does not answer for township T02")),
        (Role::TownshipInspector, stopped("T01"), t01(), None),
        (Role::TownshipInspector, stopped("T01"), in_t02(), Some("belongs to township T02")),
        (Role::TownshipInspector, referred("T01"), t01(), None),
        (Role::TownshipInspector, major("T01"), t01(), Some("only the county mineral section marks")),
        (Role::TownshipInspector, closed("T01"), t01(), None),
        (Role::TownshipInspector, closed("T01"), referred_case(), Some("a referred case is closed by the county")),
        (Role::TownshipInspector, resolved("T01"), referred_case(), Some("resolved by the county")),
        (Role::TownshipInspector, resolved("T01"), with_referral(), Some("a conflict that includes a referral is resolved by the county")),
        (Role::TownshipInspector, resolved("T01"), t01(), None),
        (Role::TownshipInspector, closed("T01"), not_held(), Some("the server does not hold step")),
        (Role::TownshipInspector, resolved("T01"), not_held(), Some("the server does not hold step")),
        (Role::TownshipInspector, closed("T01"), not_holding(), None),
        (Role::CountyAuditor, resolved("T01"), with_referral(), None),
        (Role::CountyAuditor, closed("T01"), not_held(), None),
        (Role::TownshipInspector, stopped("T01"), referred_case(), None),
        (Role::TownshipInspector, tip("T01"), t01(), None),
        (Role::TownshipInspector, informant("T02"), t01(), Some("does not answer for township T02")),
        (Role::CountyAuditor, major("T02"), MINE, None),
        (Role::CountyAuditor, closed("T01"), referred_case(), None),
        (Role::CountyAuditor, referred("T01"), MINE, Some("does not refer a case to itself")),
        (Role::CountyAuditor, stopped("T01"), in_t02(), Some("belongs to township T02")),
        (Role::CountyAuditor, informant("T03"), MINE, None),
        (Role::TownshipInspector, opened("T01"), record_in("T01"), None),
        (Role::TownshipInspector, opened("T01"), record_in("T02"), Some("finding 0192f0c1-7a3b-7c00-8000-000000000001 is in township T02, not T01")),
        (Role::TownshipInspector, informant("T01"), record_in("T01"), None),
        (Role::TownshipInspector, informant("T01"), record_in("T02"), Some("is in township T02, not T01")),
        (Role::TownshipInspector, answered("T01"), record_in("T02"), Some("is in township T02, not T01")),
        (Role::TownshipInspector, assigned("T01"), record_in("T01"), None),
        (Role::TownshipInspector, assigned("T01"), record_in("T02"), Some("which someone does not answer for")),
        (Role::CountyAuditor, assigned("T01"), county_record_in("T02"), None),
        (Role::CountyAuditor, informant("T01"), county_record_in("T02"), Some("is in township T02, not T01")),
        (Role::CountyAuditor, answered("T02"), county_record_in("T02"), None),
        (Role::Commissioner, stopped("T01"), t01(), Some("read-only")),
        (Role::Commissioner, tip("T01"), t01(), Some("read-only")),
        (Role::VillageOfficer, opened("T01"), t01(), Some("a village_officer does not record case.opened")),
        (Role::Admin, tip("T01"), t01(), Some("admin does not record tip.received")),
    ];
    for (role, body, facts, refusal) in table {
        let got = authorise(&caller(role), &body, &facts);
        match (refusal, got) {
            (None, got) => assert_eq!(got, Ok(()), "{role:?} {}", body.kind()),
            (Some(why), Err(Denied::Refused(err))) => assert!(err.contains(why), "{role:?} {}: {err}", body.kind()),
            (Some(why), Ok(())) => panic!("{role:?} {} is allowed, expected a refusal ({why})", body.kind()),
        }
    }
}

fn reviewed(t: &str) -> Body {
    use crate::body::{FlagReviewed, FlagVerdict, Subject, SubjectKind};
    Body::FlagReviewed(FlagReviewed {
        subject: Subject { kind: SubjectKind::Patrol, id: id(3) },
        flag: crate::wire::FlagKind::ImpossibleSpeed,
        township: unit(t),
        verdict: FlagVerdict::FalseAlarm,
        note: "GPS jumped under the bridge; walked with him".into(),
    })
}

#[test]
fn flags_are_reviewed_by_inspectors_within_their_townships_and_the_county() {
    let patrol_in = |t| Facts { answers_for: vec!["T01"], record_township: Some(t), ..MINE };
    #[rustfmt::skip]
    let table: Vec<(Role, Body, Facts, Option<&str>)> = vec![
        (Role::TownshipInspector, reviewed("T01"), patrol_in("T01"), None),
        (Role::TownshipInspector, reviewed("T02"), patrol_in("T02"), Some("does not answer for township T02")),
        (Role::TownshipInspector, reviewed("T01"), patrol_in("T02"), Some("patrol 0192f0c1-7a3b-7c00-8000-000000000003 is in township T02, not T01")),
        (Role::CountyAuditor, reviewed("T02"), Facts { record_township: Some("T02"), ..MINE }, None),
        (Role::CountyAuditor, reviewed("T01"), Facts { record_township: Some("T02"), ..MINE }, Some("is in township T02, not T01")),
        (Role::VillageOfficer, reviewed("T01"), patrol_in("T01"), Some("a village_officer does not record flag.reviewed")),
        (Role::Commissioner, reviewed("T01"), patrol_in("T01"), Some("read-only")),
        (Role::Admin, reviewed("T01"), patrol_in("T01"), Some("admin does not record flag.reviewed")),
    ];
    for (role, body, facts, refusal) in table {
        let got = authorise(&caller(role), &body, &facts);
        match (refusal, got) {
            (None, got) => assert_eq!(got, Ok(()), "{role:?}"),
            (Some(why), Err(Denied::Refused(err))) => assert!(err.contains(why), "{role:?}: {err}"),
            (Some(why), Ok(())) => panic!("{role:?} is allowed, expected a refusal ({why})"),
        }
    }
}

/// What a role can never record is decided from the role and the kind alone, before any
/// reference data is read: the phone refuses it offline with the words admission would use.
#[test]
fn a_role_that_never_records_a_kind_is_told_so_from_the_kind_alone() {
    use super::role_refusal;
    let officer = UserId::new("vo-t01-v01").expect("user");
    let zero = Body::ZeroReportFiled(crate::body::ZeroReportFiled {
        officer,
        week: "2026-W48".parse().expect("week"),
        zone: None,
        note: String::new(),
    });
    let cases = [
        (Role::VillageOfficer, zero.clone(), None),
        (Role::TownshipInspector, zero.clone(), Some("a township_inspector does not record zero_report.filed")),
        (Role::Commissioner, zero.clone(), Some("a commissioner's access is read-only")),
        (Role::Admin, zero, Some("admin does not record zero_report.filed")),
        (Role::VillageOfficer, opened("T01"), Some("a village_officer does not record case.opened")),
        (Role::TownshipInspector, opened("T01"), None),
        (Role::CountyAuditor, tip("T01"), None),
        (Role::Commissioner, tip("T01"), Some("read-only")),
        (Role::Admin, tip("T01"), Some("admin does not record tip.received")),
    ];
    for (role, body, expected) in cases {
        let refusal = role_refusal(role, &body);
        match expected {
            None => assert_eq!(refusal, None, "{role:?} {}", body.kind()),
            Some(words) => assert!(refusal.as_deref().is_some_and(|r| r.contains(words)), "{role:?} {}: {refusal:?}", body.kind()),
        }
    }
}
