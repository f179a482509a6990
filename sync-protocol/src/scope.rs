//! Buckets: where a stored event is routed at ingest (its village, its township, the county) and
//! which buckets a user may pull. Routing is decided here, once, and stored as data with the event.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use crate::body::{Body, LicenceChange, Role, SubjectKind};
use crate::error::ValidationError;
use crate::ids::{EventId, LicenceId, UnitId, UserId, ZoneId};

#[cfg(test)]
mod evidence_tests;
mod office;

pub use office::may_read_confidential;

/// A partition of the central log that a device pulls with its own cursor.
/// Wire form: `county`, `township:<unit>` or `village:<unit>`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Bucket {
    County,
    Township(UnitId),
    Village(UnitId),
}

impl fmt::Display for Bucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bucket::County => f.write_str("county"),
            Bucket::Township(u) => write!(f, "township:{u}"),
            Bucket::Village(u) => write!(f, "village:{u}"),
        }
    }
}

impl fmt::Debug for Bucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bucket({self})")
    }
}

impl FromStr for Bucket {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once(':') {
            None if s == "county" => Ok(Bucket::County),
            Some(("township", u)) => Ok(Bucket::Township(UnitId::new(u)?)),
            Some(("village", u)) => Ok(Bucket::Village(UnitId::new(u)?)),
            _ => {
                Err(ValidationError::field("bucket", format!("{:?} is not county, township:<id> or village:<id>", crate::ids::truncate(s))))
            }
        }
    }
}

impl Serialize for Bucket {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Bucket {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The villages and townships an event is routed to. Every stored event is also in the county
/// bucket, which is the whole log, so the county is not listed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Routes {
    pub villages: BTreeSet<UnitId>,
    pub townships: BTreeSet<UnitId>,
}

impl Routes {
    pub fn buckets(&self) -> Vec<Bucket> {
        self.villages.iter().cloned().map(Bucket::Village).chain(self.townships.iter().cloned().map(Bucket::Township)).collect()
    }

    fn add_village(&mut self, index: &impl RoutingIndex, village: &UnitId) {
        self.villages.insert(village.clone());
        if let Some(t) = index.parent(village) {
            self.townships.insert(t);
        }
    }

    /// A lifecycle event goes where its licence went, and a change also to its new villages.
    fn add_licence_change(&mut self, index: &impl RoutingIndex, change: &LicenceChange) {
        let new = match change {
            LicenceChange::Changed(c) => c.villages.as_deref().unwrap_or_default(),
            _ => &[],
        };
        for v in index.licence_villages(change.licence()).iter().chain(new) {
            self.add_village(index, v);
        }
    }

    fn add_zone(&mut self, index: &impl RoutingIndex, zone: &ZoneId) {
        if let Some(village) = index.zone_village(zone) {
            self.add_village(index, &village);
        }
    }
}

/// What routing needs to know of the reference data already stored.
pub trait RoutingIndex {
    /// The village a zone belongs to.
    fn zone_village(&self, zone: &ZoneId) -> Option<UnitId>;
    /// The unit directly above `unit`.
    fn parent(&self, unit: &UnitId) -> Option<UnitId>;
    /// The zone of a recorded patrol (for amendments).
    fn patrol_zone(&self, patrol: &EventId) -> Option<ZoneId>;
    /// An officer's zone now (for version 1 zero reports, which name none).
    fn officer_zone(&self, officer: &UserId) -> Option<ZoneId>;
    /// Every village a licence's stored `licence.granted` and `licence.changed` events named
    /// (for its lifecycle events, which name none or only the new ones).
    fn licence_villages(&self, licence: &LicenceId) -> BTreeSet<UnitId>;
    /// The township a tip was assigned to before (so a reassignment reaches the township it
    /// leaves). Without it, only the new township and the county see the reassignment.
    fn tip_township(&self, _tip: &EventId) -> Option<UnitId> {
        None
    }
    /// The township of a stored case (for attachments to it).
    fn case_township(&self, _case: &EventId) -> Option<UnitId> {
        None
    }
    /// The zone of a reported finding (for attachments).
    fn finding_zone(&self, finding: &EventId) -> Option<ZoneId>;
}

/// Routes an event body to its buckets.
pub fn route(body: &Body, index: &impl RoutingIndex) -> Routes {
    let mut r = Routes::default();
    match body {
        Body::PatrolRecorded(p) => r.add_zone(index, &p.zone),
        Body::FindingReported(f) => r.add_zone(index, &f.zone),
        Body::PatrolAmended(a) => {
            if let Some(zone) = index.patrol_zone(&a.patrol) {
                r.add_zone(index, &zone);
            }
        }
        Body::ZeroReportFiled(z) => {
            if let Some(zone) = z.zone.clone().or_else(|| index.officer_zone(&z.officer)) {
                r.add_zone(index, &zone);
            }
        }
        Body::UnitDefined(u) => match (u.level.is_township_level(), &u.parent) {
            (true, _) => {
                r.townships.insert(u.unit.clone());
            }
            (false, Some(_)) if u.level == crate::body::UnitLevel::Village => r.add_village(index, &u.unit),
            _ => {}
        },
        Body::ZoneDefined(z) => {
            r.villages.insert(z.village.clone());
            r.townships.insert(z.township.clone());
        }
        Body::UserEnrolled(u) => {
            for unit in &u.units {
                match u.role {
                    Role::VillageOfficer => r.add_village(index, unit),
                    Role::TownshipInspector => {
                        r.townships.insert(unit.clone());
                    }
                    _ => {}
                }
            }
        }
        Body::AssignmentSet(a) => {
            if let Some(zone) = &a.zone {
                r.add_zone(index, zone);
            }
        }
        Body::LicenceGranted(l) => {
            for v in &l.villages {
                r.add_village(index, v);
            }
        }
        Body::LicenceExtended(_) | Body::LicenceChanged(_) | Body::LicenceTransferred(_) | Body::LicenceCancelled(_) => {
            if let Some(change) = body.licence_change() {
                r.add_licence_change(index, &change);
            }
        }
        // Evidence goes wherever its subject went: a tip's or case's to its township only.
        Body::AttachmentAdded(a) => {
            let id = &a.subject.id;
            let zone = match a.subject.kind {
                SubjectKind::Patrol => index.patrol_zone(id),
                SubjectKind::Finding => index.finding_zone(id),
                SubjectKind::Tip => {
                    r.townships.extend(index.tip_township(id));
                    None
                }
                SubjectKind::Case => {
                    r.townships.extend(index.case_township(id));
                    None
                }
            };
            if let Some(zone) = zone {
                r.add_zone(index, &zone);
            }
        }
        // Access records (an account disabled, a phone revoked) concern the county only.
        Body::UserDisabled(_) | Body::UserEnabled(_) | Body::DeviceRevoked(_) => {}
        other => office::route_office_record(other, index, &mut r),
    }
    r
}

/// The buckets a user may pull: a village officer their current village, a township inspector
/// the township-level units they answer for, county roles the county.
pub fn scope_of(role: Role, units: &[UnitId], current_village: Option<&UnitId>) -> BTreeSet<Bucket> {
    match role {
        Role::VillageOfficer => current_village.cloned().map(Bucket::Village).into_iter().collect(),
        Role::TownshipInspector => units.iter().cloned().map(Bucket::Township).collect(),
        Role::CountyAuditor | Role::Commissioner | Role::Admin => BTreeSet::from([Bucket::County]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_have_a_text_form() {
        for text in ["county", "township:T01", "village:T01-V02"] {
            let b: Bucket = text.parse().expect("bucket");
            assert_eq!(b.to_string(), text);
        }
        for bad in ["", "County", "township:", "village:../x", "hamlet:H1"] {
            assert!(bad.parse::<Bucket>().is_err(), "{bad}");
        }
    }

    #[test]
    fn scopes_follow_the_role() {
        let v = UnitId::new("T01-V01").expect("unit");
        let t = UnitId::new("T01").expect("unit");
        assert_eq!(scope_of(Role::VillageOfficer, &[], Some(&v)), BTreeSet::from([Bucket::Village(v.clone())]));
        assert!(scope_of(Role::VillageOfficer, &[], None).is_empty());
        assert_eq!(scope_of(Role::TownshipInspector, std::slice::from_ref(&t), None), BTreeSet::from([Bucket::Township(t)]));
        assert_eq!(scope_of(Role::Commissioner, &[], None), BTreeSet::from([Bucket::County]));
    }

    /// Villages `T<n>-V<m>` under townships `T<n>`; licence L1 was granted to T01-V01.
    struct Index;

    impl RoutingIndex for Index {
        fn zone_village(&self, _: &ZoneId) -> Option<UnitId> {
            None
        }
        fn parent(&self, unit: &UnitId) -> Option<UnitId> {
            unit.as_str().split('-').next().and_then(|t| UnitId::new(t).ok())
        }
        fn patrol_zone(&self, _: &EventId) -> Option<ZoneId> {
            None
        }
        fn officer_zone(&self, _: &UserId) -> Option<ZoneId> {
            None
        }
        fn licence_villages(&self, licence: &LicenceId) -> BTreeSet<UnitId> {
            (licence.as_str() == "L1").then(|| UnitId::new("T01-V01").expect("unit")).into_iter().collect()
        }
        fn finding_zone(&self, _: &EventId) -> Option<ZoneId> {
            None
        }
    }

    #[test]
    fn lifecycle_events_go_where_their_licence_went() {
        use crate::body::{LicenceCancelled, LicenceChanged};
        let unit = |s: &str| UnitId::new(s).expect("unit");
        let licence = |s: &str| LicenceId::new(s).expect("licence");
        let cancel = |l: &str| Body::LicenceCancelled(LicenceCancelled { licence: licence(l), effective_from: 0, reason: "x".into() });
        let change = Body::LicenceChanged(LicenceChanged {
            licence: licence("L1"),
            effective_from: 0,
            area: None,
            top_m: None,
            bottom_m: None,
            mineral: None,
            right: None,
            villages: Some(vec![unit("T02-V03")]),
        });
        let routes = |b: &Body| {
            let r = route(b, &Index);
            (
                r.villages.into_iter().map(|u| u.to_string()).collect::<Vec<_>>(),
                r.townships.into_iter().map(|u| u.to_string()).collect::<Vec<_>>(),
            )
        };
        assert_eq!(routes(&cancel("L1")), (vec!["T01-V01".to_owned()], vec!["T01".to_owned()]));
        assert_eq!(routes(&change), (vec!["T01-V01".to_owned(), "T02-V03".to_owned()], vec!["T01".to_owned(), "T02".to_owned()]));
        assert_eq!(routes(&cancel("L9")), (vec![], vec![]), "an unknown licence: the county only");
    }
}
