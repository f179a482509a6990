//! DOMAIN.md's figures, exactly: units per level, land offices, users per role, who answers for
//! which unit, and one distinct zone per officer with the 7 documented vacancies.

use std::collections::{BTreeMap, BTreeSet};

use sync_protocol::body::{Role, UnitLevel};

use super::{demo, unit_id, zone_id};
use crate::tools::demo::{COUNTY_ID, EPOCH_MS};

#[test]
fn units_per_level_match_the_county() {
    let d = demo();
    assert_eq!(d.county_unit().level, UnitLevel::County);
    assert_eq!(d.county_unit().unit.as_str(), COUNTY_ID);
    let mut per_level = BTreeMap::new();
    for t in d.township_units() {
        *per_level.entry(t.level).or_insert(0) += 1;
        assert_eq!(t.parent.as_ref(), Some(&d.county_unit().unit));
    }
    assert_eq!(per_level, BTreeMap::from([(UnitLevel::Township, 8), (UnitLevel::Town, 5), (UnitLevel::Farm, 2)]));
    assert_eq!(d.village_units().len(), 134);
    assert!(d.village_units().iter().all(|v| v.level == UnitLevel::Village && !v.land_office));
    assert_eq!(d.zones().len(), 134);
}

#[test]
fn thirteen_land_offices_and_none_at_the_farms() {
    let d = demo();
    assert_eq!(d.land_offices().count(), 13);
    assert!(d.land_offices().all(|t| t.level != UnitLevel::Farm));
    assert!(!d.county_unit().land_office);
}

#[test]
fn users_per_role_match_the_county() {
    let d = demo();
    let count = |role| d.users_with_role(role).count();
    assert_eq!(count(Role::VillageOfficer), 127);
    assert_eq!(count(Role::TownshipInspector), 39);
    assert_eq!(count(Role::CountyAuditor), 4);
    assert_eq!(count(Role::Commissioner), 7);
    assert_eq!(count(Role::Admin), 1);
    assert_eq!((d.officers().len(), d.inspectors().len(), d.auditors().len(), d.commissioners().len()), (127, 39, 4, 7));
    assert_eq!(d.admin().user.as_str(), "admin");
    let ids: BTreeSet<_> = d.users().map(|u| &u.user).collect();
    assert_eq!(ids.len(), 178, "user ids are unique");
    let names: BTreeSet<_> = d.users().map(|u| &u.display_name).collect();
    assert_eq!(names.len(), 178, "display names are unique");
}

#[test]
fn county_roles_answer_for_the_county() {
    let d = demo();
    let county = vec![unit_id(COUNTY_ID)];
    for u in d.auditors().iter().chain(d.commissioners()).chain([d.admin()]) {
        assert_eq!(u.units, county, "{:?}", u.user);
    }
}

#[test]
fn three_inspectors_per_land_office_cover_all_fifteen_units() {
    let d = demo();
    for office in d.land_offices() {
        let own: Vec<_> = d.inspectors().iter().filter(|i| i.units.first() == Some(&office.unit)).collect();
        assert_eq!(own.len(), 3, "{:?}", office.unit);
    }
    let covered: BTreeSet<_> = d.inspectors().iter().flat_map(|i| &i.units).collect();
    let all: BTreeSet<_> = d.township_units().iter().map(|t| &t.unit).collect();
    assert_eq!(covered, all);
    for farm in d.township_units().iter().filter(|t| t.level == UnitLevel::Farm) {
        let serving: Vec<_> = d.inspectors_of(&farm.unit).collect();
        assert_eq!(serving.len(), 3, "one office serves {:?}", farm.unit);
        assert!(serving.iter().all(|i| i.units.len() == 2 && i.units[1] == farm.unit));
    }
    let with_farm = d.inspectors().iter().filter(|i| i.units.len() == 2).count();
    assert_eq!(with_farm, 6, "two offices serve a farm each");
}

#[test]
fn each_officer_patrols_a_distinct_zone_of_their_own_village() {
    let d = demo();
    assert_eq!(d.assignments().len(), 127);
    let zones: BTreeSet<_> = d.assignments().iter().map(|a| a.zone.clone().expect("every assignment names a zone")).collect();
    assert_eq!(zones.len(), 127, "distinct zones");
    for officer in d.officers() {
        let zone = d.zone_of(&officer.user).expect("every officer has a zone");
        assert_eq!(officer.units, vec![zone.village.clone()], "{:?}", officer.user);
        assert_eq!(d.officer_of(&zone.zone).map(|o| &o.user), Some(&officer.user));
        assert_eq!(d.unit(&zone.village).and_then(|v| v.parent.as_ref()), Some(&zone.township));
    }
    assert!(d.assignments().iter().all(|a| a.from == EPOCH_MS));
    assert!(d.zones().iter().all(|z| z.valid_from == EPOCH_MS));
}

#[test]
fn the_seven_documented_zones_have_no_officer() {
    let d = demo();
    let unassigned: Vec<_> = d.unassigned_zones().map(|z| z.zone.clone()).collect();
    let documented = ["Z-T02-V09", "Z-T04-V09", "Z-T06-V09", "Z-T09-V09", "Z-T12-V11", "Z-T13-V07", "Z-T15-V06"].map(zone_id);
    assert_eq!(unassigned, documented.to_vec());
    for z in &documented {
        assert!(d.officer_of(z).is_none());
        let village = d.zone(z).expect("documented zone exists").village.clone();
        assert_eq!(d.villages_of(&d.zone(z).expect("zone").township).last().map(|v| &v.unit), Some(&village), "the last village");
    }
}

#[test]
fn ids_follow_the_documented_patterns() {
    let d = demo();
    for (k, t) in d.township_units().iter().enumerate() {
        assert_eq!(t.unit.as_str(), format!("T{:02}", k + 1));
        for (n, v) in d.villages_of(&t.unit).enumerate() {
            assert_eq!(v.unit.as_str(), format!("{}-V{:02}", t.unit, n + 1));
        }
    }
    for (v, z) in d.village_units().iter().zip(d.zones()) {
        assert_eq!((z.zone.as_str(), &z.village), (format!("Z-{}", v.unit).as_str(), &v.unit));
    }
    for o in d.officers() {
        assert_eq!(o.user.as_str(), format!("vo-{}", o.units[0].as_str().to_lowercase()));
    }
    for i in d.inspectors() {
        let prefix = format!("ti-{}-", i.units[0].as_str().to_lowercase());
        assert!(i.user.as_str().starts_with(&prefix) && i.user.as_str().len() == prefix.len() + 1, "{:?}", i.user);
    }
    let names: BTreeSet<_> = d.village_units().iter().map(|v| (&v.name, &v.name_zh)).collect();
    assert_eq!(names.len(), 134, "village names are unique");
    assert!(d.village_units().iter().all(|v| v.name.ends_with(" Village") && v.name_zh.ends_with('村')));
}
