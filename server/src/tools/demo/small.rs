//! The second, smaller demo county, for a deployment of two: Baiyun County (白云县), fictional too,
//! made of the demo grid's two south-western townships (梅林乡 and 石溪镇) moved one degree east,
//! with their villages, zones, people and licences, two auditors and one commissioner.

use std::collections::BTreeSet;

use super::demo_county::DemoCounty;
use super::grid::{Block, Grid};
use super::layout::TOWNSHIPS;
use super::rng;

/// How far east of the first county the second lies, 1e-7 degrees (one degree).
const EAST_E7: i32 = 10_000_000;

/// The block of the grid the small county covers: the first two block columns of the south row.
const BLOCK: Block = Block::new(0, 6, 0, 4);

/// Builds the small demo county. Pure and deterministic, like [`super::county`].
pub fn small_county() -> DemoCounty {
    let mut county = super::county();
    let kept: BTreeSet<_> = TOWNSHIPS.iter().filter(|s| s.at.1 == 0 && s.at.0 < 2).map(super::units::township_id).collect();
    county.townships.retain(|t| kept.contains(&t.unit));
    county.villages.retain(|v| v.parent.as_ref().is_some_and(|p| kept.contains(p)));
    let villages: BTreeSet<_> = county.villages.iter().map(|v| v.unit.clone()).collect();
    county.zones.retain(|z| kept.contains(&z.township));
    let people = &mut county.people;
    people.auditors.truncate(2);
    people.commissioners.truncate(1);
    people.inspectors.retain(|i| i.units.iter().all(|u| kept.contains(u)));
    people.officers.retain(|o| o.units.iter().all(|u| villages.contains(u)));
    let officers: BTreeSet<_> = people.officers.iter().map(|o| o.user.clone()).collect();
    people.assignments.retain(|a| officers.contains(&a.officer));
    county.licences.retain(|l| l.villages.iter().all(|v| villages.contains(v)));
    county.county.name = "Baiyun County".into();
    county.county.name_zh = "白云县".into();
    county.county.boundary = Some(Grid::jittered(&mut rng(super::GRID_STREAM)).outline(BLOCK));
    county.moved(EAST_E7, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_small_county_is_two_townships_with_their_own_people_and_nothing_of_the_rest() {
        let small = small_county();
        assert_eq!(small.township_units().len(), 2);
        assert!(!small.village_units().is_empty() && small.village_units().len() < 30);
        assert_eq!(small.zones().len(), small.village_units().len());
        assert!(small.officers().iter().all(|o| small.zone_of(&o.user).is_some()), "every officer has a zone of the county");
        assert!(small.inspectors().len() >= 3 && small.auditors().len() == 2 && small.commissioners().len() == 1);
        let big = super::super::county();
        let (a, b) = (&big.zones()[0].boundary.0[0][0], &small.zones()[0].boundary.0[0][0]);
        assert!(b[0] - a[0] >= EAST_E7 - 2_000_000, "moved east of the first county");
        assert_eq!(small, small_county(), "deterministic");
    }
}
