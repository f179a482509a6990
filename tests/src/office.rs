//! Case and tip bodies for tests: the steps an inspector or the county records (docs/cases.md),
//! built with their township and the step they are made on.

use sync_protocol::body::{
    ActionKind, Body, CaseActionTaken, CaseClosed, CaseConflictResolved, CaseMarkedMajor, CaseOpened, CaseReferred, CaseSource,
    CaseStopped, CaseVerified, Outcome, TipAnswered, TipAssigned, TipChannel, TipInformant, TipReceived, Verdict,
};
use sync_protocol::ids::{EventId, UnitId};

fn unit(s: &str) -> UnitId {
    UnitId::new(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// `case.opened` on a finding.
pub fn open_on_finding(finding: EventId, township: &str) -> Body {
    Body::CaseOpened(CaseOpened { source: CaseSource::Finding(finding), township: unit(township), note: "已接收 received".into() })
}

/// `case.opened` on a tip.
pub fn open_on_tip(tip: EventId, township: &str) -> Body {
    Body::CaseOpened(CaseOpened { source: CaseSource::Tip(tip), township: unit(township), note: "举报立案".into() })
}

pub fn verify(case: EventId, township: &str, after: EventId) -> Body {
    Body::CaseVerified(CaseVerified { case, township: unit(township), after, verdict: Verdict::Confirmed, note: "属实".into() })
}

pub fn stop(case: EventId, township: &str, after: EventId) -> Body {
    Body::CaseStopped(CaseStopped { case, township: unit(township), after, note: "已制止 stopped".into() })
}

/// `case.action_taken`: an order to rectify by `deadline`.
pub fn rectify(case: EventId, township: &str, after: EventId, deadline: i64) -> Body {
    Body::CaseActionTaken(CaseActionTaken {
        case,
        township: unit(township),
        after,
        action: ActionKind::RectifyOrder,
        deadline: Some(deadline),
        departments: vec![],
        note: "责令整改 rectify".into(),
    })
}

pub fn refer(case: EventId, township: &str, after: EventId) -> Body {
    Body::CaseReferred(CaseReferred { case, township: unit(township), after, note: "移交县矿产股 beyond the township".into() })
}

pub fn mark_major(case: EventId, township: &str, after: EventId, deadline: i64) -> Body {
    Body::CaseMarkedMajor(CaseMarkedMajor { case, township: unit(township), after, deadline, note: "重大案件督办".into() })
}

pub fn close(case: EventId, township: &str, after: EventId) -> Body {
    Body::CaseClosed(CaseClosed { case, township: unit(township), after, outcome: Outcome::Rectified, note: "整改到位".into() })
}

/// `case.conflict_resolved` joining `heads` and keeping `keep`.
pub fn resolve(case: EventId, township: &str, heads: &[EventId], keep: EventId) -> Body {
    let note = "县矿产股裁定 the county's call".into();
    Body::CaseConflictResolved(CaseConflictResolved { case, township: unit(township), heads: heads.to_vec(), keep, note })
}

pub fn tip_received(township: &str, received_at: i64) -> Body {
    Body::TipReceived(TipReceived {
        channel: TipChannel::Hotline,
        content: "村后山夜间有人挖稀土 digging at night behind the village".into(),
        location: None,
        received_at,
        township: unit(township),
    })
}

pub fn informant(tip: EventId, township: &str) -> Body {
    Body::TipInformant(TipInformant { tip, township: unit(township), name: "王举报".into(), contact: "13900000000".into() })
}

pub fn assign_tip(tip: EventId, township: &str, village: &str) -> Body {
    Body::TipAssigned(TipAssigned {
        tip,
        township: unit(township),
        village: Some(unit(village)),
        brief: "请核查后山 check the hill behind the village".into(),
        location: None,
        note: String::new(),
    })
}

pub fn answer_tip(tip: EventId, township: &str, case: Option<EventId>) -> Body {
    Body::TipAnswered(TipAnswered { tip, township: unit(township), patrol: None, case, answer: "已核查 checked".into() })
}
