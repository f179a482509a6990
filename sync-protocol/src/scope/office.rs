//! Routing of a tip's reassignment, and who may read a confidential record (a tip's informant).
//! Cases go to their township; a tip and its informant to the tip's bucket, never to a village.

use super::rules::OwnRoute;
use super::{Routes, RoutingIndex};
use crate::body::{Role, TipAssigned};

impl OwnRoute for TipAssigned {
    /// Besides its new township (the `township` rule): the village whose officer is asked to
    /// check, only if it belongs to that township, and the township the tip leaves.
    fn route_own<I: RoutingIndex>(&self, index: &I, r: &mut Routes) -> Result<(), I::Error> {
        if let Some(village) = &self.village
            && index.parent(village)?.as_ref() == Some(&self.township)
        {
            r.villages.insert(village.clone());
        }
        r.townships.extend(index.tip_township(&self.tip)?);
        Ok(())
    }
}

/// Whether a role may read confidential records (a tip's informant): the county mineral section
/// and township inspectors (for their own townships, which their buckets already ensure).
/// Commissioners read everything else, read-only, but not this; village officers never.
pub fn may_read_confidential(role: Role) -> bool {
    matches!(role, Role::CountyAuditor | Role::TownshipInspector)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::{Body, TipAssigned, TipInformant};
    use crate::ids::EventId;
    use crate::scope::memory_index::{MemoryIndex, unit};
    use crate::scope::route;

    /// The tip was assigned to T09 before.
    fn index() -> MemoryIndex {
        MemoryIndex { tips: [(tip(), unit("T09"))].into(), ..MemoryIndex::default() }
    }

    fn tip() -> EventId {
        "0192f0c1-7a3b-7c00-8000-000000000099".parse().expect("id")
    }

    fn assigned(township: &str, village: Option<&str>) -> Body {
        Body::TipAssigned(TipAssigned {
            tip: tip(),
            township: unit(township),
            village: village.map(unit),
            brief: "check the quarry behind the school".into(),
            location: None,
            note: String::new(),
        })
    }

    #[test]
    fn a_village_bucket_never_receives_an_informant() {
        for township in ["T01", "T02"] {
            let body =
                Body::TipInformant(TipInformant { tip: tip(), township: unit(township), name: "张三".into(), contact: "139".into() });
            let Ok(r) = route(tip(), &body, &index());
            assert!(r.villages.is_empty() && r.townships.is_empty());
            assert_eq!(r.buckets(), vec![crate::scope::Bucket::Tip(tip())]);
            assert!(body.is_confidential());
        }
    }

    #[test]
    fn an_assignment_reaches_the_village_asked_to_check_only_within_its_township() {
        let table = [
            (assigned("T01", Some("T01-V03")), vec!["T01-V03"], vec!["T01", "T09"]),
            (assigned("T01", Some("T02-V01")), vec![], vec!["T01", "T09"]),
            (assigned("T01", None), vec![], vec!["T01", "T09"]),
        ];
        for (body, villages, townships) in table {
            let Ok(r) = route(tip(), &body, &index());
            assert_eq!(r.villages.into_iter().collect::<Vec<_>>(), villages.into_iter().map(unit).collect::<Vec<_>>());
            assert_eq!(r.townships.into_iter().collect::<Vec<_>>(), townships.into_iter().map(unit).collect::<Vec<_>>());
            assert!(!body.is_confidential());
        }
    }

    /// The tip, its informant and its evidence all go to the tip's bucket, which only an
    /// inspector of the township it is assigned to holds: moving the tip moves them.
    #[test]
    fn a_tip_its_informant_and_its_evidence_travel_together() {
        use crate::body::{AttachmentAdded, BlobHash, MediaType, Subject, SubjectKind, TipChannel, TipReceived};
        use crate::scope::{Bucket, tip_scope};
        let received = Body::TipReceived(TipReceived {
            channel: TipChannel::Hotline,
            content: "trucks at night".into(),
            location: None,
            received_at: 1_764_131_257_000,
            township: unit("T01"),
        });
        let informant =
            Body::TipInformant(TipInformant { tip: tip(), township: unit("T01"), name: "张三".into(), contact: String::new() });
        let photo = Body::AttachmentAdded(AttachmentAdded {
            subject: Subject { kind: SubjectKind::Tip, id: tip() },
            sha256: BlobHash([7; 32]),
            size: 10,
            media_type: MediaType::Jpeg,
            file_name: None,
            captured_at: None,
            captured_place: None,
        });
        let other: EventId = "0192f0c1-7a3b-7c00-8000-0000000000aa".parse().expect("id");
        for (event, body) in [(tip(), received), (other, informant), (other, photo)] {
            let Ok(r) = route(event, &body, &index());
            assert_eq!(r.buckets(), vec![Bucket::Tip(tip())], "{}", body.kind());
        }
        assert_eq!(tip_scope(Role::TownshipInspector, [tip()]), [Bucket::Tip(tip())].into());
        for role in [Role::VillageOfficer, Role::CountyAuditor, Role::Commissioner, Role::Admin] {
            assert!(tip_scope(role, [tip()]).is_empty(), "{role:?}");
        }
    }

    #[test]
    fn only_the_county_section_and_inspectors_read_informants() {
        let table = [
            (Role::VillageOfficer, false),
            (Role::TownshipInspector, true),
            (Role::CountyAuditor, true),
            (Role::Commissioner, false),
            (Role::Admin, false),
        ];
        for (role, may) in table {
            assert_eq!(may_read_confidential(role), may, "{role:?}");
        }
    }
}
