//! The counties of a demo deployment of more than two (`serve --demo --counties N`): past Yunshan
//! and Baiyun, each is the whole demo county drawn from a seed of its own, placed north of them.
//!
//! A generated county has the demo county's layout and ids (`T01`, `Z-T03-V02`, `vo-t03-v02`,
//! `ca-1`…) but its own boundaries' jitter, village and people names and licences, and its own code
//! (`county-03`) and name. Counties lie in rows of [`ROW`], half a degree apart, from half a degree
//! north of Yunshan, so no two overlap (each spans about 0.36° by 0.31°).

use super::demo_county::DemoCounty;
use super::{COUNTY_NAME_STREAM, DEMO_COUNTIES, SEED};

/// The most counties a demo deployment holds.
pub const MAX_DEMO_COUNTIES: usize = 99;

/// Generated counties side by side in a row, west to east.
const ROW: usize = 5;

/// Half a degree, in 1e-7 degree: the distance between two generated counties.
const STEP_E7: i32 = 5_000_000;

/// The code and name of the `i`th county (from 0) of a demo deployment: Yunshan's and Baiyun's,
/// then `county-03` … with a generated name (`"上坑县 Shangkeng County"`).
pub fn deployment_county_name(i: usize) -> (String, String) {
    if let Some((code, name)) = DEMO_COUNTIES.get(i) {
        return ((*code).to_owned(), (*name).to_owned());
    }
    let name = county_name(i);
    (format!("county-{:02}", i + 1), format!("{} {}", name.zh, name.en))
}

/// The `i`th county (from 0) of a demo deployment: [`super::county`], [`super::small_county`],
/// then generated ones. Pure and deterministic.
pub fn deployment_county(i: usize) -> DemoCounty {
    match i {
        0 => super::county(),
        1 => super::small_county(),
        _ => generated(i),
    }
}

fn generated(i: usize) -> DemoCounty {
    let mut county = super::county_seeded(SEED.wrapping_add(i as u64));
    let name = county_name(i);
    county.county.name = name.en;
    county.county.name_zh = name.zh;
    let k = i - DEMO_COUNTIES.len();
    let (east, north) = ((k % ROW) as i32 * STEP_E7, (k / ROW + 1) as i32 * STEP_E7);
    county.moved(east, north)
}

/// The generated name of the `i`th county: distinct for every county of a deployment.
fn county_name(i: usize) -> super::names::Name {
    let mut names = super::names::county_names(&mut super::rng(COUNTY_NAME_STREAM), i + 1);
    names.swap_remove(i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn generated_counties_are_the_demo_layout_with_their_own_names_places_and_people() {
        let (yunshan, third, fourth) = (deployment_county(0), deployment_county(2), deployment_county(3));
        assert_eq!(yunshan, super::super::county());
        assert_eq!(third, deployment_county(2), "deterministic");
        for county in [&third, &fourth] {
            assert_eq!(county.zones().len(), yunshan.zones().len());
            assert_eq!(county.officers().len(), yunshan.officers().len());
            assert_eq!(county.licences().len(), yunshan.licences().len());
            assert!(county.officers().iter().all(|o| county.zone_of(&o.user).is_some()), "every officer has a zone");
            assert_ne!(county.officers()[0].display_name, yunshan.officers()[0].display_name, "people of its own");
            assert_ne!(county.village_units()[0].name, yunshan.village_units()[0].name, "villages of its own");
        }
        // No two counties overlap: each county's south-west corner lies outside the others' boxes.
        let bbox = |c: &DemoCounty| {
            let points: Vec<[i32; 2]> = c.zones().iter().flat_map(|z| z.boundary.0.iter().flatten().copied()).collect();
            let (lons, lats) = (points.iter().map(|p| p[0]), points.iter().map(|p| p[1]));
            (lons.clone().min(), lons.max(), lats.clone().min(), lats.max())
        };
        let boxes: Vec<_> = (0..9).map(|i| bbox(&deployment_county(i))).collect();
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[..i] {
                assert!(a.0 > b.1 || a.1 < b.0 || a.2 > b.3 || a.3 < b.2, "{a:?} overlaps {b:?}");
            }
        }
        let codes: BTreeSet<String> = (0..MAX_DEMO_COUNTIES).map(|i| deployment_county_name(i).0).collect();
        let names: BTreeSet<String> = (0..MAX_DEMO_COUNTIES).map(|i| deployment_county_name(i).1).collect();
        assert_eq!((codes.len(), names.len()), (MAX_DEMO_COUNTIES, MAX_DEMO_COUNTIES), "distinct codes and names");
        assert_eq!(deployment_county_name(2).0, "county-03");
        assert!(codes.iter().all(|c| crate::config::check_code(c).is_ok()), "valid county codes");
    }
}
