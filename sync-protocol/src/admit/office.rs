//! Who may record case and tip steps: township inspectors for the townships they answer for, the
//! county mineral section for every township; commissioners, village officers and admins never.

use super::{Authority, Caller, Denied, refused};
use crate::body::{Body, CaseSource, Role, Subject, SubjectKind};
use crate::fold::{Stage, StepStage};
use crate::ids::{EventId, UnitId};

/// The stored record a body acts on besides a case: the tip of a tip step, the finding or tip a
/// case is opened on, the patrol or finding whose flag is reviewed.
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
        Body::FlagReviewed(b) => Some(b.subject),
        _ => None,
    }
}

/// A body that names a stored record must name that record's township (a tip's current one), so
/// that nobody acts on, or routes information to, another township's record; a reassignment
/// (`tip.assigned`) names the township it moves the tip to, and an inspector moves only a tip of a
/// township they answer for. A record the store does not hold is not checked here.
fn check_record_township<A: Authority>(
    caller: &Caller,
    county: bool,
    body: &Body,
    township: &UnitId,
    authority: &A,
) -> Result<(), Denied<A::Error>> {
    let Some(record) = record_of(body) else { return Ok(()) };
    let Some(current) = authority.subject(&record)?.and_then(|f| f.township) else { return Ok(()) };
    let what = format!("{} {}", record.kind.as_str(), record.id);
    match body {
        Body::TipAssigned(_) if !county && !authority.inspects(&caller.user, &current)? => {
            refused(format!("{what} is in township {current}, which {} does not answer for", caller.user))
        }
        Body::TipAssigned(_) => Ok(()),
        _ if &current != township => refused(format!("{what} is in township {current}, not {township}")),
        _ => Ok(()),
    }
}

/// Whether `caller` may record this case or tip body.
pub(super) fn authorise_office<A: Authority>(caller: &Caller, body: &Body, authority: &A) -> Result<(), Denied<A::Error>> {
    let Some(township) = body.office_township() else {
        return refused(format!("{} is not a case or tip record", body.kind()));
    };
    let county = match caller.role {
        Role::CountyAuditor => true,
        Role::TownshipInspector => false,
        Role::Commissioner => return refused("a commissioner's access is read-only"),
        Role::VillageOfficer | Role::Admin => return refused(format!("a {} does not record {}", caller.role.as_str(), body.kind())),
    };
    if !county && !authority.inspects(&caller.user, township)? {
        return refused(format!("{} does not answer for township {township}", caller.user));
    }
    if let Some(case) = body.continued_case()
        && let Some(t) = authority.case_township(&case)?
        && &t != township
    {
        return refused(format!("case {case} belongs to township {t}, not {township}"));
    }
    check_record_township(caller, county, body, township, authority)?;
    match body {
        Body::CaseMarkedMajor(_) if !county => refused("only the county mineral section marks a case major"),
        Body::CaseReferred(_) if county => refused("the county does not refer a case to itself"),
        Body::CaseClosed(b) if !county => county_desk(authority, &b.case, &[b.after], "a referred case is closed by the county"),
        Body::CaseConflictResolved(b) if !county => {
            county_desk(authority, &b.case, &b.heads, "a conflict that includes a referral is resolved by the county")
        }
        _ => Ok(()),
    }
}

/// Refuses an inspector's closure or resolution made on a step after which the case stood
/// referred (it is on the county's desk), or on a step the server does not hold (where the case
/// stood is unknown). Reads only the steps named and what they were made on, so the decision is
/// the same whichever concurrent steps arrived before.
fn county_desk<A: Authority>(authority: &A, case: &EventId, made_on: &[EventId], why: &str) -> Result<(), Denied<A::Error>> {
    for step in made_on {
        match authority.case_stage_after(case, step)? {
            StepStage::At(Stage::Referred) => return refused(format!("{why}: the case stood referred after step {step}")),
            StepStage::NotHeld => {
                return refused(format!(
                    "{why}, and the server does not hold step {step} of case {case}, so where the case stood is unknown"
                ));
            }
            StepStage::At(_) | StepStage::DoesNotHold => {}
        }
    }
    Ok(())
}
