//! Who may record case and tip steps: township inspectors for the townships they answer for, the
//! county mineral section for every township; commissioners, village officers and admins never.

use super::{Authority, Caller};
use crate::body::{Body, Role};
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
