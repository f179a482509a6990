//! Who may attach evidence to what: a patrol's or finding's officer or an inspector of its
//! township; to a tip or case an inspector of its township or the county mineral section.

use std::convert::Infallible;

use super::*;
use crate::body::{AttachmentAdded, MediaType, SubjectKind};

/// Stored in township T01: patrol/finding 1 by `vo-a`, tip 2, case 3; inspector `ti-t01`
/// answers for T01.
struct Facts;

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
    fn case_township(&self, _: &EventId) -> Result<Option<UnitId>, Infallible> {
        Ok(None)
    }
    fn case_stage_after(&self, _: &EventId, _: &EventId) -> Result<crate::fold::StepStage, Infallible> {
        Ok(crate::fold::StepStage::NotHeld)
    }
    fn subject(&self, subject: &Subject) -> Result<Option<SubjectFacts>, Infallible> {
        let township = Some(UnitId::new("T01").expect("unit"));
        Ok(match (subject.kind, subject.id) {
            (SubjectKind::Patrol | SubjectKind::Finding, s) if s == id(1) => Some(SubjectFacts { author: Some(user("vo-a")), township }),
            (SubjectKind::Tip, s) if s == id(2) => Some(SubjectFacts { author: None, township }),
            (SubjectKind::Case, s) if s == id(3) => Some(SubjectFacts { author: Some(user("ti-t01")), township }),
            _ => None,
        })
    }
    fn inspects(&self, inspector: &UserId, township: &UnitId) -> Result<bool, Infallible> {
        Ok(inspector.as_str() == "ti-t01" && township.as_str() == "T01")
    }
}

fn user(u: &str) -> UserId {
    UserId::new(u).expect("user")
}

fn id(n: u8) -> EventId {
    format!("019ac0de-0000-7000-8000-0000000000{n:02}").parse().expect("id")
}

fn attachment(kind: SubjectKind, subject: EventId) -> Body {
    Body::AttachmentAdded(AttachmentAdded {
        subject: Subject { kind, id: subject },
        sha256: crate::body::BlobHash([7; 32]),
        size: 10,
        media_type: MediaType::Jpeg,
        file_name: None,
        captured_at: None,
        captured_place: None,
    })
}

#[test]
fn evidence_is_attached_by_those_who_answer_for_its_subject() {
    use SubjectKind::{Case, Finding, Patrol, Tip};
    let cases = [
        ("vo-a", Role::VillageOfficer, Finding, 1, true),
        ("vo-a", Role::VillageOfficer, Patrol, 1, true),
        ("vo-b", Role::VillageOfficer, Finding, 1, false),
        ("vo-a", Role::VillageOfficer, Finding, 9, false),
        ("ti-t01", Role::TownshipInspector, Finding, 1, true),
        ("ti-t02", Role::TownshipInspector, Finding, 1, false),
        ("ca", Role::CountyAuditor, Finding, 1, false),
        ("admin", Role::Admin, Finding, 1, false),
        // Tips and cases: the township's inspector or the county, never a village officer.
        ("ti-t01", Role::TownshipInspector, Tip, 2, true),
        ("ti-t01", Role::TownshipInspector, Case, 3, true),
        ("ti-t02", Role::TownshipInspector, Tip, 2, false),
        ("ti-t02", Role::TownshipInspector, Case, 3, false),
        ("ca", Role::CountyAuditor, Tip, 2, true),
        ("ca", Role::CountyAuditor, Case, 3, true),
        ("vo-a", Role::VillageOfficer, Tip, 2, false),
        ("vo-a", Role::VillageOfficer, Case, 3, false),
        ("cm", Role::Commissioner, Case, 3, false),
        ("admin", Role::Admin, Tip, 2, false),
        // Not stored (or stored as another kind): refused whoever asks.
        ("ca", Role::CountyAuditor, Case, 2, false),
        ("ti-t01", Role::TownshipInspector, Tip, 9, false),
    ];
    for (who, role, kind, n, allowed) in cases {
        let caller = Caller { user: user(who), device: DeviceId(uuid::Uuid::nil()), role };
        assert_eq!(authorise(&caller, &attachment(kind, id(n)), &Facts).is_ok(), allowed, "{who} {role:?} {kind:?} {n}");
    }
}
