//! Routing of case and tip records, and who may read a confidential one (a tip's informant).
//! Cases and tips go to their township; an informant never goes to a village.

use super::{Routes, RoutingIndex};
use crate::body::{Body, Role};

/// Routes a case or tip body; other bodies get no route here.
pub(super) fn route_office_record(body: &Body, index: &impl RoutingIndex, r: &mut Routes) {
    let township = match body {
        Body::CaseOpened(b) => &b.township,
        Body::CaseVerified(b) => &b.township,
        Body::CaseStopped(b) => &b.township,
        Body::CaseActionTaken(b) => &b.township,
        Body::CaseReferred(b) => &b.township,
        Body::CaseMarkedMajor(b) => &b.township,
        Body::CaseClosed(b) => &b.township,
        Body::CaseConflictResolved(b) => &b.township,
        Body::TipReceived(b) => &b.township,
        // The informant goes to the township named in its own body and nowhere else.
        Body::TipInformant(b) => &b.township,
        Body::TipAnswered(b) => &b.township,
        Body::TipAssigned(b) => {
            // The village whose officer is asked to check; only if it belongs to the township.
            if let Some(village) = &b.village
                && index.parent(village).as_ref() == Some(&b.township)
            {
                r.villages.insert(village.clone());
            }
            // The township it leaves learns where the tip went.
            if let Some(before) = index.tip_township(&b.tip) {
                r.townships.insert(before);
            }
            &b.township
        }
        _ => return,
    };
    r.townships.insert(township.clone());
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
    use crate::ids::{EventId, UnitId, UserId, ZoneId};
    use crate::scope::route;

    struct Index;
    impl RoutingIndex for Index {
        fn zone_village(&self, _: &ZoneId) -> Option<UnitId> {
            None
        }
        fn parent(&self, unit: &UnitId) -> Option<UnitId> {
            unit.as_str().split_once('-').map(|(t, _)| UnitId::new(t).expect("unit"))
        }
        fn patrol_zone(&self, _: &EventId) -> Option<ZoneId> {
            None
        }
        fn officer_zone(&self, _: &UserId) -> Option<ZoneId> {
            None
        }
        fn tip_township(&self, _: &EventId) -> Option<UnitId> {
            Some(unit("T09"))
        }
        fn licence_villages(&self, _: &crate::ids::LicenceId) -> std::collections::BTreeSet<UnitId> {
            std::collections::BTreeSet::new()
        }
        fn finding_zone(&self, _: &EventId) -> Option<ZoneId> {
            None
        }
    }

    fn unit(s: &str) -> UnitId {
        UnitId::new(s).expect("unit")
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
            let r = route(&body, &Index);
            assert!(r.villages.is_empty());
            assert_eq!(r.townships.into_iter().collect::<Vec<_>>(), vec![unit(township)]);
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
            let r = route(&body, &Index);
            assert_eq!(r.villages.into_iter().collect::<Vec<_>>(), villages.into_iter().map(unit).collect::<Vec<_>>());
            assert_eq!(r.townships.into_iter().collect::<Vec<_>>(), townships.into_iter().map(unit).collect::<Vec<_>>());
            assert!(!body.is_confidential());
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
