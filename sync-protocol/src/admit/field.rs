//! Who may record field records: village officers, for zones assigned to them at the time the
//! record speaks of; evidence also by inspectors and the county section (see `authorise_attachment`).

use super::{Authority, Caller, Denied, refused};
use crate::body::{AttachmentAdded, Body, Role, SubjectKind};
use crate::ids::ZoneId;

/// Whether `caller` may record this field body. A body of another authorship is refused.
pub(super) fn authorise_field<A: Authority>(caller: &Caller, body: &Body, authority: &A) -> Result<(), Denied<A::Error>> {
    if let Body::AttachmentAdded(a) = body {
        return authorise_attachment(caller, a, authority);
    }
    if caller.role != Role::VillageOfficer {
        return refused(format!("a {} does not record {}", caller.role.as_str(), body.kind()));
    }
    let me = &caller.user;
    let zone_at = |zone: &ZoneId, from: i64, to: i64| {
        if authority.was_assigned(me, zone, from, to)? {
            Ok(())
        } else {
            refused(format!("zone {zone} was not assigned to {me} at that time"))
        }
    };
    match body {
        Body::PatrolRecorded(p) => zone_at(&p.zone, p.started_at, p.ended_at),
        Body::FindingReported(f) => zone_at(&f.zone, f.observed_at, f.observed_at),
        Body::ZeroReportFiled(z) => {
            if &z.officer != me {
                return refused("a zero report is filed by the officer it reports for");
            }
            let (from, to) = z.week.bounds_ms();
            match &z.zone {
                Some(zone) => zone_at(zone, from, to - 1),
                None if authority.had_any_zone(me, from, to - 1)? => Ok(()),
                None => refused(format!("{me} had no zone in {}", z.week)),
            }
        }
        Body::PatrolAmended(a) => match authority.patrol_author(&a.patrol)? {
            Some(author) if &author == me => Ok(()),
            Some(_) => refused("only the officer who recorded a patrol amends it"),
            None => refused(format!("patrol {} is not stored", a.patrol)),
        },
        _ => refused(format!("{} is not a field record", body.kind())),
    }
}

/// Evidence is attached to a patrol or finding by the officer who recorded it, or by an inspector
/// of its township (who may add photos taken when verifying it); to a tip or case by an inspector
/// of its township or the county mineral section, never by a village officer.
fn authorise_attachment<A: Authority>(caller: &Caller, a: &AttachmentAdded, authority: &A) -> Result<(), Denied<A::Error>> {
    let what = a.subject.kind.as_str();
    let Some(facts) = authority.subject(&a.subject)? else {
        return refused(format!("{what} {} is not stored", a.subject.id));
    };
    let office_record = matches!(a.subject.kind, SubjectKind::Tip | SubjectKind::Case);
    let allowed = match (caller.role, &facts.township) {
        (Role::VillageOfficer, _) => !office_record && facts.author.as_ref() == Some(&caller.user),
        (Role::TownshipInspector, Some(township)) => authority.inspects(&caller.user, township)?,
        (Role::TownshipInspector, None) => false,
        (Role::CountyAuditor, _) => office_record,
        (Role::Commissioner | Role::Admin, _) => false,
    };
    if allowed { Ok(()) } else { refused(format!("a {} may not attach evidence to {what} {}", caller.role.as_str(), a.subject.id)) }
}
