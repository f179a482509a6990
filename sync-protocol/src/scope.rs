//! Buckets: where a stored event is routed at ingest (its village, its township, the county) and
//! which buckets a user may pull. Routing is decided here, once, and stored as data with the event.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use crate::body::{Body, Role};
use crate::error::ValidationError;
use crate::ids::{EventId, LicenceId, UnitId, UserId, ZoneId};

#[cfg(test)]
mod evidence_tests;
#[cfg(test)]
pub(crate) mod memory_index;
mod office;
#[cfg(test)]
mod route_tests;
mod rules;

pub use office::may_read_confidential;

/// A partition of the central log that a device pulls with its own cursor.
/// Wire form: `county`, `township:<unit>`, `village:<unit>` or `tip:<tip id>`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Bucket {
    County,
    Township(UnitId),
    Village(UnitId),
    /// What travels with a tip when it moves to another township: its informant and the evidence
    /// attached to it. Held by the township the tip is assigned to now (see [`tip_scope`]), so a
    /// reassignment routes them to the new township and purges them from the old one.
    Tip(EventId),
}

impl fmt::Display for Bucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bucket::County => f.write_str("county"),
            Bucket::Township(u) => write!(f, "township:{u}"),
            Bucket::Village(u) => write!(f, "village:{u}"),
            Bucket::Tip(t) => write!(f, "tip:{t}"),
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
            Some(("tip", t)) => {
                let tip =
                    t.parse().map_err(|_| ValidationError::field("bucket", format!("{:?} is not a tip id", crate::ids::truncate(t))))?;
                Ok(Bucket::Tip(tip))
            }
            _ => Err(ValidationError::field(
                "bucket",
                format!("{:?} is not county, township:<id>, village:<id> or tip:<id>", crate::ids::truncate(s)),
            )),
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

/// The villages, townships and tips an event is routed to. Every stored event is also in the
/// county bucket, which is the whole log, so the county is not listed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Routes {
    pub villages: BTreeSet<UnitId>,
    pub townships: BTreeSet<UnitId>,
    pub tips: BTreeSet<EventId>,
}

impl Routes {
    pub fn buckets(&self) -> Vec<Bucket> {
        let villages = self.villages.iter().cloned().map(Bucket::Village);
        let townships = self.townships.iter().cloned().map(Bucket::Township);
        villages.chain(townships).chain(self.tips.iter().copied().map(Bucket::Tip)).collect()
    }

    /// A village, and the township above it.
    fn add_village<I: RoutingIndex>(&mut self, index: &I, village: &UnitId) -> Result<(), I::Error> {
        self.villages.insert(village.clone());
        self.townships.extend(index.parent(village)?);
        Ok(())
    }

    /// The village of a zone, and its township; nothing for no zone, or one the index does not know.
    fn add_zone<I: RoutingIndex>(&mut self, index: &I, zone: Option<&ZoneId>) -> Result<(), I::Error> {
        match zone.map(|z| index.zone_village(z)).transpose()?.flatten() {
            Some(village) => self.add_village(index, &village),
            None => Ok(()),
        }
    }
}

/// What routing needs to know of the reference data already stored. Every read answers a
/// `Result`: a read that fails is an error of [`route`], never a fact that is absent.
pub trait RoutingIndex {
    /// Why a read failed (the store's error; [`std::convert::Infallible`] for an index in memory).
    type Error;
    /// The village a zone belongs to.
    fn zone_village(&self, zone: &ZoneId) -> Result<Option<UnitId>, Self::Error>;
    /// The unit directly above `unit`.
    fn parent(&self, unit: &UnitId) -> Result<Option<UnitId>, Self::Error>;
    /// The zone of a recorded patrol (for amendments).
    fn patrol_zone(&self, patrol: &EventId) -> Result<Option<ZoneId>, Self::Error>;
    /// An officer's zone now (for version 1 zero reports, which name none).
    fn officer_zone(&self, officer: &UserId) -> Result<Option<ZoneId>, Self::Error>;
    /// Every village a licence's stored `licence.granted` and `licence.changed` events named
    /// (for its lifecycle events, which name none or only the new ones).
    fn licence_villages(&self, licence: &LicenceId) -> Result<BTreeSet<UnitId>, Self::Error>;
    /// The township a tip was assigned to before (so a reassignment reaches the township it
    /// leaves).
    fn tip_township(&self, tip: &EventId) -> Result<Option<UnitId>, Self::Error>;
    /// The township of a stored case (for attachments to it).
    fn case_township(&self, case: &EventId) -> Result<Option<UnitId>, Self::Error>;
    /// The zone of a reported finding (for attachments).
    fn finding_zone(&self, finding: &EventId) -> Result<Option<ZoneId>, Self::Error>;
}

/// Routes the body of event `event` to its buckets, by the route rules of its row in the kind
/// table (`body/kinds.rs`). Fails only when a read of `index` fails.
pub fn route<I: RoutingIndex>(event: EventId, body: &Body, index: &I) -> Result<Routes, I::Error> {
    let mut r = Routes::default();
    rules::route_by_table(event, body, index, &mut r)?;
    Ok(r)
}

/// The buckets a user may pull: a village officer their current village, a township inspector
/// the township-level units they answer for (and the tips assigned to them, [`tip_scope`]),
/// county roles the county.
pub fn scope_of(role: Role, units: &[UnitId], current_village: Option<&UnitId>) -> BTreeSet<Bucket> {
    match role {
        Role::VillageOfficer => current_village.cloned().map(Bucket::Village).into_iter().collect(),
        Role::TownshipInspector => units.iter().cloned().map(Bucket::Township).collect(),
        Role::CountyAuditor | Role::Commissioner | Role::Admin => BTreeSet::from([Bucket::County]),
    }
}

/// The tip buckets a role adds to its scope, given the tips assigned now to the units it answers
/// for: a township inspector holds theirs; the county's bucket holds every tip already; a village
/// officer never holds one (a tip reaches a village only through `tip.assigned`'s brief).
pub fn tip_scope(role: Role, tips_of_units: impl IntoIterator<Item = EventId>) -> BTreeSet<Bucket> {
    match role {
        Role::TownshipInspector => tips_of_units.into_iter().map(Bucket::Tip).collect(),
        Role::VillageOfficer | Role::CountyAuditor | Role::Commissioner | Role::Admin => BTreeSet::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::memory_index::MemoryIndex;
    use super::*;

    #[test]
    fn buckets_have_a_text_form() {
        for text in ["county", "township:T01", "village:T01-V02", "tip:0192f0c1-7a3b-7c00-8000-000000000099"] {
            let b: Bucket = text.parse().expect("bucket");
            assert_eq!(b.to_string(), text);
        }
        for bad in ["", "County", "township:", "village:../x", "hamlet:H1", "tip:T01", "tip:"] {
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
        // Licence L1 was granted to T01-V01.
        let index = MemoryIndex { licences: [(licence("L1"), BTreeSet::from([unit("T01-V01")]))].into(), ..MemoryIndex::default() };
        let routes = |b: &Body| {
            let Ok(r) = route(EventId(uuid::Uuid::nil()), b, &index);
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
