//! The administrative tree as `unit.defined` bodies (county, township-level units, villages) and
//! each village's patrol zone as a `zone.defined` body, all cut from the one shared grid.

use sync_protocol::body::{UnitDefined, UnitLevel, ZoneDefined};
use sync_protocol::ids::{UnitId, ZoneId};

use super::grid::{Block, COLS, Grid, ROWS};
use super::layout::{TOWNSHIPS, TownshipSpec, VillagePlan};
use super::names::Name;
use super::{EPOCH_MS, slug};

/// The county's unit id.
pub const COUNTY_ID: &str = "CTY";

/// `T03`.
pub fn township_id(spec: &TownshipSpec) -> UnitId {
    slug(&format!("T{:02}", spec.number))
}

/// `T03-V02`.
pub fn village_id(plan: &VillagePlan) -> UnitId {
    slug(&format!("T{:02}-V{:02}", TOWNSHIPS[plan.township].number, plan.number))
}

/// `Z-T03-V02`: one zone per village, named after it.
pub fn zone_id(plan: &VillagePlan) -> ZoneId {
    slug(&format!("Z-{}", village_id(plan)))
}

/// The fictional Yunshan County (云山县): the whole grid, its outline through every boundary vertex.
pub fn county_unit(grid: &Grid) -> UnitDefined {
    UnitDefined {
        unit: slug(COUNTY_ID),
        level: UnitLevel::County,
        name: "Yunshan County".into(),
        name_zh: "云山县".into(),
        parent: None,
        land_office: false,
        boundary: Some(grid.outline(Block::new(0, COLS, 0, ROWS))),
    }
}

/// The 15 township-level units in the order of [`TOWNSHIPS`].
pub fn township_units(grid: &Grid) -> Vec<UnitDefined> {
    TOWNSHIPS
        .iter()
        .map(|spec| UnitDefined {
            unit: township_id(spec),
            level: spec.level,
            name: spec.name.into(),
            name_zh: spec.name_zh.into(),
            parent: Some(slug(COUNTY_ID)),
            land_office: spec.has_land_office(),
            boundary: Some(grid.outline(spec.block())),
        })
        .collect()
}

/// The villages (村委会), one per plan, with the names drawn for them.
pub fn village_units(grid: &Grid, plans: &[VillagePlan], names: &[Name]) -> Vec<UnitDefined> {
    plans
        .iter()
        .zip(names)
        .map(|(plan, name)| UnitDefined {
            unit: village_id(plan),
            level: UnitLevel::Village,
            name: name.en.clone(),
            name_zh: name.zh.clone(),
            parent: Some(township_id(&TOWNSHIPS[plan.township])),
            land_office: false,
            boundary: Some(grid.outline(plan.cells)),
        })
        .collect()
}

/// Each village's patrol zone (分片包干): the village's own boundary, valid from [`EPOCH_MS`].
pub fn zones(grid: &Grid, plans: &[VillagePlan], villages: &[UnitDefined]) -> Vec<ZoneDefined> {
    plans
        .iter()
        .zip(villages)
        .map(|(plan, village)| ZoneDefined {
            zone: zone_id(plan),
            village: village.unit.clone(),
            township: township_id(&TOWNSHIPS[plan.township]),
            name: format!("{} zone / {}片区", village.name, village.name_zh),
            boundary: grid.outline(plan.cells),
            valid_from: EPOCH_MS,
        })
        .collect()
}
