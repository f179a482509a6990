//! Routing indexes for tests: one in memory that knows only what it is told, and one whose every
//! read fails, to show that a failed read is an error and never a routing decision.

use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;

use super::RoutingIndex;
use crate::ids::{EventId, LicenceId, UnitId, UserId, ZoneId};

/// Stored facts by id. A unit `T<n>-V<m>` lies under `T<n>`; a unit without `-` has no parent.
#[derive(Debug, Default)]
pub(crate) struct MemoryIndex {
    /// Zone → its village.
    pub zones: BTreeMap<ZoneId, UnitId>,
    /// Patrol or finding → its zone.
    pub records: BTreeMap<EventId, ZoneId>,
    /// Officer → their zone now.
    pub officers: BTreeMap<UserId, ZoneId>,
    /// Licence → the villages its stored events named.
    pub licences: BTreeMap<LicenceId, BTreeSet<UnitId>>,
    /// Tip or case → its township.
    pub tips: BTreeMap<EventId, UnitId>,
    pub cases: BTreeMap<EventId, UnitId>,
}

pub(crate) fn unit(s: &str) -> UnitId {
    UnitId::new(s).expect("unit")
}

pub(crate) fn zone(s: &str) -> ZoneId {
    ZoneId::new(s).expect("zone")
}

impl MemoryIndex {
    /// Knows zone `Z-<village>` of each village.
    pub fn with_zones(villages: &[&str]) -> MemoryIndex {
        let zones = villages.iter().map(|v| (zone(&format!("Z-{v}")), unit(v))).collect();
        MemoryIndex { zones, ..MemoryIndex::default() }
    }
}

impl RoutingIndex for MemoryIndex {
    type Error = Infallible;
    fn zone_village(&self, zone: &ZoneId) -> Result<Option<UnitId>, Infallible> {
        Ok(self.zones.get(zone).cloned())
    }
    fn parent(&self, unit: &UnitId) -> Result<Option<UnitId>, Infallible> {
        Ok(unit.as_str().split_once('-').map(|(t, _)| self::unit(t)))
    }
    fn patrol_zone(&self, patrol: &EventId) -> Result<Option<ZoneId>, Infallible> {
        Ok(self.records.get(patrol).cloned())
    }
    fn officer_zone(&self, officer: &UserId) -> Result<Option<ZoneId>, Infallible> {
        Ok(self.officers.get(officer).cloned())
    }
    fn licence_villages(&self, licence: &LicenceId) -> Result<BTreeSet<UnitId>, Infallible> {
        Ok(self.licences.get(licence).cloned().unwrap_or_default())
    }
    fn tip_township(&self, tip: &EventId) -> Result<Option<UnitId>, Infallible> {
        Ok(self.tips.get(tip).cloned())
    }
    fn case_township(&self, case: &EventId) -> Result<Option<UnitId>, Infallible> {
        Ok(self.cases.get(case).cloned())
    }
    fn finding_zone(&self, finding: &EventId) -> Result<Option<ZoneId>, Infallible> {
        Ok(self.records.get(finding).cloned())
    }
}

/// A read of the store that failed (a disk error, a lost connection).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ReadFailed;

/// An index whose every read fails.
pub(crate) struct FailingIndex;

impl RoutingIndex for FailingIndex {
    type Error = ReadFailed;
    fn zone_village(&self, _: &ZoneId) -> Result<Option<UnitId>, ReadFailed> {
        Err(ReadFailed)
    }
    fn parent(&self, _: &UnitId) -> Result<Option<UnitId>, ReadFailed> {
        Err(ReadFailed)
    }
    fn patrol_zone(&self, _: &EventId) -> Result<Option<ZoneId>, ReadFailed> {
        Err(ReadFailed)
    }
    fn officer_zone(&self, _: &UserId) -> Result<Option<ZoneId>, ReadFailed> {
        Err(ReadFailed)
    }
    fn licence_villages(&self, _: &LicenceId) -> Result<BTreeSet<UnitId>, ReadFailed> {
        Err(ReadFailed)
    }
    fn tip_township(&self, _: &EventId) -> Result<Option<UnitId>, ReadFailed> {
        Err(ReadFailed)
    }
    fn case_township(&self, _: &EventId) -> Result<Option<UnitId>, ReadFailed> {
        Err(ReadFailed)
    }
    fn finding_zone(&self, _: &EventId) -> Result<Option<ZoneId>, ReadFailed> {
        Err(ReadFailed)
    }
}
