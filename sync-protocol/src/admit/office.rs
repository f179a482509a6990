//! Who may record case and tip steps: township inspectors for the townships they answer for, the
//! county mineral section for every township; commissioners, village officers and admins never.

use super::{Authority, Caller};
use crate::body::{Body, CaseSource, Role, Subject, SubjectKind};
use crate::ids::{EventId, UnitId};

/// The township a case or tip body names, and the case it continues (none for an opening).
fn township_and_case(body: &Body) -> Option<(&UnitId, Option<EventId>)> {
    Some(match body {
        Body::CaseOpened(b) => (&b.township, None),
        Body::CaseVerified(b) => (&b.township, Some(b.case)),
        Body::CaseStopped(b) => (&b.township, Some(b.case)),
        Body::CaseActionTaken(b) => (&b.township, Some(b.case)),
        Body::CaseReferred(b) => (&b.township, Some(b.case)),
        Body::CaseMarkedMajor(b) => (&b.township, Some(b.case)),
        Body::CaseClosed(b) => (&b.township, Some(b.case)),
        Body::CaseConflictResolved(b) => (&b.township, Some(b.case)),
        Body::TipReceived(b) => (&b.township, None),
        Body::TipInformant(b) => (&b.township, None),
        Body::TipAssigned(b) => (&b.township, None),
        Body::TipAnswered(b) => (&b.township, None),
        _ => return None,
    })
}

/// The stored record a body acts on besides a case: the tip of a tip step, the finding or tip a
/// case is opened on.
fn record_of(body: &Body) -> Option<Subject> {
    let tip = |id| Some(Subject { kind: SubjectKind::Tip, id });
    match body {
        Body::CaseOpened(b) => match b.source {
            CaseSource::Finding(id) => Some(Subject { kind: SubjectKind::Finding, id }),
            CaseSource::Tip(id) => tip(id),
        },
        Body::TipInformant(b) => tip(b.tip),
        Body::TipAssigned(b) => tip(b.tip),
        Body::TipAnswered(b) => tip(b.tip),
        _ => None,
    }
}

/// A body that names a stored record must name that record's township (a tip's current one), so
/// that nobody acts on, or routes information to, another township's record; a reassignment
/// (`tip.assigned`) names the township it moves the tip to, and an inspector moves only a tip of a
/// township they answer for. A record the store does not hold is not checked here.
fn check_record_township(caller: &Caller, county: bool, body: &Body, township: &UnitId, authority: &impl Authority) -> Result<(), String> {
    let Some(record) = record_of(body) else { return Ok(()) };
    let Some(current) = authority.subject(&record).and_then(|f| f.township) else { return Ok(()) };
    let what = format!("{} {}", record.kind.as_str(), record.id);
    match body {
        Body::TipAssigned(_) if !county && !authority.inspects(&caller.user, &current) => {
            Err(format!("{what} is in township {current}, which {} does not answer for", caller.user))
        }
        Body::TipAssigned(_) => Ok(()),
        _ if &current != township => Err(format!("{what} is in township {current}, not {township}")),
        _ => Ok(()),
    }
}

/// Whether `caller` may record this case or tip body.
pub(super) fn authorise_office(caller: &Caller, body: &Body, authority: &impl Authority) -> Result<(), String> {
    let Some((township, case)) = township_and_case(body) else {
        return Err(format!("{} is not a case or tip record", body.kind()));
    };
    let county = match caller.role {
        Role::CountyAuditor => true,
        Role::TownshipInspector => false,
        Role::Commissioner => return Err("a commissioner's access is read-only".into()),
        Role::VillageOfficer | Role::Admin => return Err(format!("a {} does not record {}", caller.role.as_str(), body.kind())),
    };
    if !county && !authority.inspects(&caller.user, township) {
        return Err(format!("{} does not answer for township {township}", caller.user));
    }
    if let Some(case) = case {
        match authority.case_township(&case) {
            Some(t) if &t != township => return Err(format!("case {case} belongs to township {t}, not {township}")),
            _ => {}
        }
    }
    check_record_township(caller, county, body, township, authority)?;
    match body {
        Body::CaseMarkedMajor(_) if !county => Err("only the county mineral section marks a case major".into()),
        Body::CaseReferred(_) if county => Err("the county does not refer a case to itself".into()),
        Body::CaseClosed(b) if !county && authority.case_referred(&b.case) => Err("a referred case is closed by the county".into()),
        Body::CaseConflictResolved(b) if !county && authority.case_referred(&b.case) => {
            Err("a conflict in a referred case is resolved by the county".into())
        }
        _ => Ok(()),
    }
}
