//! [`DemoCounty`]: the generated reference data, kept typed, with the bodies in the order the
//! server must author them and the accessors that tests use to pick demo users, zones and licences.

use sync_protocol::body::{AssignmentSet, Body, LicenceGranted, Role, UnitDefined, UserEnrolled, ZoneDefined};
use sync_protocol::ids::{UnitId, UserId, ZoneId};
use sync_protocol::values::Polygon;

use super::people::People;
use crate::tools::reference::{Assignment, ReferenceSet, ZoneEntry};

/// The demo county. Build it with [`super::county`]; every call gives an equal value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoCounty {
    pub(super) county: UnitDefined,
    pub(super) townships: Vec<UnitDefined>,
    pub(super) villages: Vec<UnitDefined>,
    pub(super) zones: Vec<ZoneDefined>,
    pub(super) people: People,
    pub(super) licences: Vec<LicenceGranted>,
}

impl DemoCounty {
    /// Every reference body in authoring order: units top-down (county, township-level units,
    /// villages), then zones, users (admin, auditors, commissioners, inspectors, officers),
    /// assignments and licences. Each body only names what an earlier one defined.
    pub fn bodies(&self) -> Vec<Body> {
        let units = std::iter::once(&self.county).chain(&self.townships).chain(&self.villages).cloned().map(Body::UnitDefined);
        let zones = self.zones.iter().cloned().map(Body::ZoneDefined);
        let users = self.users().cloned().map(Body::UserEnrolled);
        let assignments = self.people.assignments.iter().cloned().map(Body::AssignmentSet);
        let licences = self.licences.iter().cloned().map(Body::LicenceGranted);
        units.chain(zones).chain(users).chain(assignments).chain(licences).collect()
    }

    /// The county with every boundary and area moved `east_e7` east and `north_e7` north (1e-7
    /// degree), so that counties of one demo deployment lie side by side.
    pub(super) fn moved(mut self, east_e7: i32, north_e7: i32) -> DemoCounty {
        let shift = |p: &mut Polygon| {
            p.0.iter_mut().flatten().for_each(|[lon, lat]| {
                *lon += east_e7;
                *lat += north_e7;
            })
        };
        let units = std::iter::once(&mut self.county).chain(&mut self.townships).chain(&mut self.villages);
        units.filter_map(|u| u.boundary.as_mut()).for_each(shift);
        self.zones.iter_mut().for_each(|z| shift(&mut z.boundary));
        self.licences.iter_mut().for_each(|l| shift(&mut l.area));
        self
    }

    /// The units, zones (with their officers) and licences as a reference file's content, in
    /// authoring order; users are not part of a reference file.
    pub fn reference_set(&self) -> ReferenceSet {
        let units = std::iter::once(&self.county).chain(&self.townships).chain(&self.villages).cloned().collect();
        let zones = self
            .zones
            .iter()
            .map(|z| {
                let a = self.people.assignments.iter().find(|a| a.zone.as_ref() == Some(&z.zone));
                let assignment = a.map(|a| Assignment { officer: a.officer.clone(), from: a.from });
                ZoneEntry { zone: z.clone(), assignment }
            })
            .collect();
        ReferenceSet { units, zones, licences: self.licences.iter().cloned().map(Into::into).collect() }
    }

    /// The demo county's reference file (`patrolsync-server reference export` of a demo store
    /// writes the same data).
    pub fn to_feature_collection(&self) -> geojson::FeatureCollection {
        self.reference_set().to_feature_collection()
    }

    pub fn county_unit(&self) -> &UnitDefined {
        &self.county
    }

    /// The 15 township-level units (乡, 镇, 场), `T01` … `T15`.
    pub fn township_units(&self) -> &[UnitDefined] {
        &self.townships
    }

    /// The 13 township-level units with a land office (all but the two farms).
    pub fn land_offices(&self) -> impl Iterator<Item = &UnitDefined> {
        self.townships.iter().filter(|t| t.land_office)
    }

    /// The 134 villages, township by township.
    pub fn village_units(&self) -> &[UnitDefined] {
        &self.villages
    }

    pub fn villages_of(&self, township: &UnitId) -> impl Iterator<Item = &UnitDefined> {
        self.villages.iter().filter(move |v| v.parent.as_ref() == Some(township))
    }

    /// Any unit by id: the county, a township-level unit or a village.
    pub fn unit(&self, id: &UnitId) -> Option<&UnitDefined> {
        std::iter::once(&self.county).chain(&self.townships).chain(&self.villages).find(|u| &u.unit == id)
    }

    /// The 134 patrol zones, one per village, in the order of [`Self::village_units`].
    pub fn zones(&self) -> &[ZoneDefined] {
        &self.zones
    }

    pub fn zone(&self, id: &ZoneId) -> Option<&ZoneDefined> {
        self.zones.iter().find(|z| &z.zone == id)
    }

    /// All 178 users, in authoring order.
    pub fn users(&self) -> impl Iterator<Item = &UserEnrolled> {
        let p = &self.people;
        std::iter::once(&p.admin).chain(&p.auditors).chain(&p.commissioners).chain(&p.inspectors).chain(&p.officers)
    }

    pub fn user(&self, id: &UserId) -> Option<&UserEnrolled> {
        self.users().find(|u| &u.user == id)
    }

    pub fn users_with_role(&self, role: Role) -> impl Iterator<Item = &UserEnrolled> {
        self.users().filter(move |u| u.role == role)
    }

    /// The 127 village information officers (动态巡查信息员), `vo-t03-v02`.
    pub fn officers(&self) -> &[UserEnrolled] {
        &self.people.officers
    }

    /// The 39 township inspectors (执法监察员), `ti-t03-1` … `ti-t03-3`.
    pub fn inspectors(&self) -> &[UserEnrolled] {
        &self.people.inspectors
    }

    /// The 4 county auditors (矿产股 / 执法监察大队), `ca-1` … `ca-4`.
    pub fn auditors(&self) -> &[UserEnrolled] {
        &self.people.auditors
    }

    /// The 7 read-only special commissioners (特邀监察专员), `cm-1` … `cm-7`.
    pub fn commissioners(&self) -> &[UserEnrolled] {
        &self.people.commissioners
    }

    /// The one administrator, `admin`.
    pub fn admin(&self) -> &UserEnrolled {
        &self.people.admin
    }

    /// One `assignment.set` per officer, all from [`super::EPOCH_MS`].
    pub fn assignments(&self) -> &[AssignmentSet] {
        &self.people.assignments
    }

    /// The zone an officer is assigned to (none for other roles or unknown users).
    pub fn zone_of(&self, officer: &UserId) -> Option<&ZoneDefined> {
        let assignment = self.people.assignments.iter().find(|a| &a.officer == officer)?;
        self.zone(assignment.zone.as_ref()?)
    }

    /// The officer assigned to a zone, if the post is filled.
    pub fn officer_of(&self, zone: &ZoneId) -> Option<&UserEnrolled> {
        let assignment = self.people.assignments.iter().find(|a| a.zone.as_ref() == Some(zone))?;
        self.user(&assignment.officer)
    }

    /// The 7 zones with no officer (see `layout::VACANT` for which and why).
    pub fn unassigned_zones(&self) -> impl Iterator<Item = &ZoneDefined> {
        self.zones.iter().filter(|z| !self.people.assignments.iter().any(|a| a.zone.as_ref() == Some(&z.zone)))
    }

    /// The inspectors who answer for a township-level unit (for a farm: those of the office serving it).
    pub fn inspectors_of(&self, township: &UnitId) -> impl Iterator<Item = &UserEnrolled> {
        self.people.inspectors.iter().filter(move |i| i.units.contains(township))
    }

    /// The 54 licences: 7 city mining, 39 county mining, then 8 exploration rights.
    pub fn licences(&self) -> &[LicenceGranted] {
        &self.licences
    }

    pub fn licences_in(&self, village: &UnitId) -> impl Iterator<Item = &LicenceGranted> {
        self.licences.iter().filter(move |l| l.villages.contains(village))
    }

    /// Licences in force at `ms` (Unix milliseconds); an expired licence counts as none. `valid_to`
    /// is the last valid day, valid in full (as `sync_protocol::checks::licence_history` says).
    pub fn licences_valid_at(&self, ms: i64) -> impl Iterator<Item = &LicenceGranted> {
        self.licences.iter().filter(move |l| l.valid_from <= ms && ms < l.valid_to + 86_400_000)
    }
}
