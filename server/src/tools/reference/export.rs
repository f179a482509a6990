//! Writing the store's current reference data as a reference file: every unit, each zone's latest
//! version with its current officer, every licence, each kind in id order (units top-down).

use std::collections::BTreeMap;
use sync_protocol::ids::{UserId, ZoneId};

use super::error::ReferenceFileError;
use super::format::{Assignment, ReferenceSet, ZoneEntry, to_text};
use super::stored::Stored;
use crate::store::ReferenceData;

/// The store's reference file, as text.
pub async fn export(store: &dyn ReferenceData) -> Result<String, ReferenceFileError> {
    let stored = Stored::fold(&store.reference_bodies().await?);
    let set = reference_set(&stored)?;
    to_text(&set.to_feature_collection()).map_err(ReferenceFileError::Encode)
}

/// The typed content of the file for what the store holds. A zone's officer is the one whose
/// latest assignment is that zone; two such officers cannot be written (the file carries one).
pub fn reference_set(stored: &Stored) -> Result<ReferenceSet, ReferenceFileError> {
    let mut officers: BTreeMap<&ZoneId, Vec<(&UserId, i64)>> = BTreeMap::new();
    for a in stored.assignments.values() {
        if let Some(zone) = &a.zone {
            officers.entry(zone).or_default().push((&a.officer, a.from));
        }
    }
    let mut zones = Vec::with_capacity(stored.zones.len());
    for (id, zone) in &stored.zones {
        let assignment = match officers.get(id).map(Vec::as_slice) {
            None | Some([]) => None,
            Some([(officer, from)]) => Some(Assignment { officer: (*officer).clone(), from: *from }),
            Some(many) => return Err(ReferenceFileError::SharedZone { zone: id.to_string(), count: many.len() }),
        };
        zones.push(ZoneEntry { zone: zone.clone(), assignment });
    }
    let mut units: Vec<_> = stored.units.values().cloned().collect();
    units.sort_by_key(|u| super::plan::depth(u.level));
    Ok(ReferenceSet { units, zones, licences: stored.licences.values().map(super::licence_plan::entry_of).collect() })
}
