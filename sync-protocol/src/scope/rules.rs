//! The route rules of the kind table (`zone`, `township`, `villages`, `tip`, `own`), applied to a body,
//! and the kinds whose routing is their own (`OwnRoute`): what those need of the stored data.

use super::{Routes, RoutingIndex};
use crate::body::{
    AssignmentSet, AttachmentAdded, Body, FlagReviewed, LicenceCancelled, LicenceChanged, LicenceExtended, LicenceTransferred,
    PatrolAmended, Role, Subject, SubjectKind, TipInformant, TipReceived, UnitDefined, UnitLevel, UserChanged, UserEnrolled,
    ZeroReportFiled, ZoneDefined,
};
use crate::ids::{EventId, LicenceId, UnitId};

/// The routing of a kind whose row says `own`.
pub(super) trait OwnRoute {
    fn route_own<I: RoutingIndex>(&self, index: &I, r: &mut Routes) -> Result<(), I::Error>;
}

/// A kind whose row says `tip`: the tip it belongs to, given the id of its own event.
pub(super) trait OfTip {
    fn tip_of(&self, event: EventId) -> EventId;
}

impl OfTip for TipReceived {
    /// A tip's id is the id of its `tip.received` event.
    fn tip_of(&self, event: EventId) -> EventId {
        event
    }
}

impl OfTip for TipInformant {
    fn tip_of(&self, _: EventId) -> EventId {
        self.tip
    }
}

/// One route rule of a row, applied to the body `$b` of event `$id`.
macro_rules! route_rule {
    (tip, $b:ident, $id:ident, $index:ident, $r:ident) => {
        $r.tips.insert(OfTip::tip_of($b, $id))
    };
    (zone, $b:ident, $id:ident, $index:ident, $r:ident) => {
        $r.add_zone($index, Some(&$b.zone))?
    };
    (township, $b:ident, $id:ident, $index:ident, $r:ident) => {
        $r.townships.insert($b.township.clone())
    };
    (villages, $b:ident, $id:ident, $index:ident, $r:ident) => {
        for village in &$b.villages {
            $r.add_village($index, village)?;
        }
    };
    (own, $b:ident, $id:ident, $index:ident, $r:ident) => {
        OwnRoute::route_own($b, $index, $r)?
    };
}

/// The consumer of the kind table that routes by its `routes` column.
macro_rules! route_rows {
    ($($variant:ident $name:literal $konst:ident $who:ident [$($rule:ident),*] $versions:tt)*) => {
        /// Applies the route rules of the body's row, in order; `event` is the id of its event.
        pub(super) fn route_by_table<I: RoutingIndex>(event: EventId, body: &Body, index: &I, r: &mut Routes) -> Result<(), I::Error> {
            let _ = event;
            match body {
                $(Body::$variant(b) => {
                    let _ = b;
                    $(route_rule!($rule, b, event, index, r);)*
                })*
            }
            Ok(())
        }
    };
}

crate::body::for_each_kind!(route_rows);

impl OwnRoute for PatrolAmended {
    /// Where the amended patrol went.
    fn route_own<I: RoutingIndex>(&self, index: &I, r: &mut Routes) -> Result<(), I::Error> {
        r.add_zone(index, index.patrol_zone(&self.patrol)?.as_ref())
    }
}

impl OwnRoute for ZeroReportFiled {
    /// Its zone; a version 1 body names none, and goes to the officer's zone now.
    fn route_own<I: RoutingIndex>(&self, index: &I, r: &mut Routes) -> Result<(), I::Error> {
        match &self.zone {
            Some(zone) => r.add_zone(index, Some(zone)),
            None => r.add_zone(index, index.officer_zone(&self.officer)?.as_ref()),
        }
    }
}

impl OwnRoute for UnitDefined {
    /// A township-level unit to itself, a village to itself and its township, the county nowhere else.
    fn route_own<I: RoutingIndex>(&self, index: &I, r: &mut Routes) -> Result<(), I::Error> {
        if self.level.is_township_level() {
            r.townships.insert(self.unit.clone());
        } else if self.level == UnitLevel::Village && self.parent.is_some() {
            r.add_village(index, &self.unit)?;
        }
        Ok(())
    }
}

impl OwnRoute for ZoneDefined {
    /// The village and township it names (the index does not know the zone yet).
    fn route_own<I: RoutingIndex>(&self, _: &I, r: &mut Routes) -> Result<(), I::Error> {
        r.villages.insert(self.village.clone());
        r.townships.insert(self.township.clone());
        Ok(())
    }
}

impl OwnRoute for UserEnrolled {
    fn route_own<I: RoutingIndex>(&self, index: &I, r: &mut Routes) -> Result<(), I::Error> {
        route_person(self.role, &self.units, index, r)
    }
}

impl OwnRoute for UserChanged {
    /// Where the record now belongs (the units it names), like `user.enrolled`.
    fn route_own<I: RoutingIndex>(&self, index: &I, r: &mut Routes) -> Result<(), I::Error> {
        route_person(self.role, &self.units, index, r)
    }
}

/// A village officer to each of their villages, an inspector to each township; county roles to
/// the county only.
fn route_person<I: RoutingIndex>(role: Role, units: &[UnitId], index: &I, r: &mut Routes) -> Result<(), I::Error> {
    for unit in units {
        match role {
            Role::VillageOfficer => r.add_village(index, unit)?,
            Role::TownshipInspector => {
                r.townships.insert(unit.clone());
            }
            Role::CountyAuditor | Role::Commissioner | Role::Admin => {}
        }
    }
    Ok(())
}

impl OwnRoute for AssignmentSet {
    /// The assigned zone; an assignment of no zone goes to the county only.
    fn route_own<I: RoutingIndex>(&self, index: &I, r: &mut Routes) -> Result<(), I::Error> {
        r.add_zone(index, self.zone.as_ref())
    }
}

/// A lifecycle event goes where its licence went, and a change also to its new villages.
fn add_licence<I: RoutingIndex>(index: &I, r: &mut Routes, licence: &LicenceId, new: &[UnitId]) -> Result<(), I::Error> {
    for village in index.licence_villages(licence)?.iter().chain(new) {
        r.add_village(index, village)?;
    }
    Ok(())
}

impl OwnRoute for LicenceExtended {
    fn route_own<I: RoutingIndex>(&self, index: &I, r: &mut Routes) -> Result<(), I::Error> {
        add_licence(index, r, &self.licence, &[])
    }
}

impl OwnRoute for LicenceChanged {
    fn route_own<I: RoutingIndex>(&self, index: &I, r: &mut Routes) -> Result<(), I::Error> {
        add_licence(index, r, &self.licence, self.villages.as_deref().unwrap_or_default())
    }
}

impl OwnRoute for LicenceTransferred {
    fn route_own<I: RoutingIndex>(&self, index: &I, r: &mut Routes) -> Result<(), I::Error> {
        add_licence(index, r, &self.licence, &[])
    }
}

impl OwnRoute for LicenceCancelled {
    fn route_own<I: RoutingIndex>(&self, index: &I, r: &mut Routes) -> Result<(), I::Error> {
        add_licence(index, r, &self.licence, &[])
    }
}

impl OwnRoute for AttachmentAdded {
    /// Evidence goes wherever its subject went: a case's to its township only, a tip's to the
    /// tip's bucket, which follows the tip from township to township.
    fn route_own<I: RoutingIndex>(&self, index: &I, r: &mut Routes) -> Result<(), I::Error> {
        add_subject(index, r, &self.subject)
    }
}

impl OwnRoute for FlagReviewed {
    /// Besides its township (the `township` rule): wherever the flagged patrol or finding went.
    fn route_own<I: RoutingIndex>(&self, index: &I, r: &mut Routes) -> Result<(), I::Error> {
        add_subject(index, r, &self.subject)
    }
}

/// Where a stored record went: a patrol or finding to its zone's village and township, a case to
/// its township only, a tip to the tip's bucket (which follows the tip between townships).
fn add_subject<I: RoutingIndex>(index: &I, r: &mut Routes, subject: &Subject) -> Result<(), I::Error> {
    let id = &subject.id;
    let zone = match subject.kind {
        SubjectKind::Patrol => index.patrol_zone(id)?,
        SubjectKind::Finding => index.finding_zone(id)?,
        SubjectKind::Tip => {
            r.tips.insert(*id);
            None
        }
        SubjectKind::Case => {
            r.townships.extend(index.case_township(id)?);
            None
        }
    };
    r.add_zone(index, zone.as_ref())
}
