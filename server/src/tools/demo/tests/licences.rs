//! The 54 licences: the counts of DOMAIN.md, about 5 expired, protected minerals present, and
//! every licensed area small and strictly inside its one village.

use std::collections::{BTreeMap, BTreeSet};

use geo::Contains;
use sync_protocol::body::{IssuingLevel, Mineral, RightKind};

use super::{area_m2, demo};
use crate::tools::demo::{EPOCH_MS, county_midnight_ms};

#[test]
fn fifty_four_licences_as_in_the_report() {
    let licences = demo().licences();
    let mut per_kind = BTreeMap::new();
    for l in licences {
        let key = (matches!(l.right, RightKind::Mining), matches!(l.issuer, IssuingLevel::City));
        *per_kind.entry(key).or_insert(0) += 1;
    }
    assert_eq!(per_kind, BTreeMap::from([((true, true), 7), ((true, false), 39), ((false, true), 8)]));
    let numbers: BTreeSet<_> = licences.iter().map(|l| &l.licence).collect();
    assert_eq!(numbers.len(), 54, "licence numbers are unique");
    for l in licences {
        let n = l.licence.as_str();
        let letter = if l.right == RightKind::Mining { 'C' } else { 'T' };
        assert!(n.len() == 23 && n.starts_with(letter) && n[1..].bytes().all(|b| b.is_ascii_digit()), "{n}");
    }
}

#[test]
fn rock_salt_and_fluorite_dominate_and_protected_minerals_appear() {
    let mut per_mineral: BTreeMap<Mineral, usize> = BTreeMap::new();
    for l in demo().licences() {
        *per_mineral.entry(l.mineral).or_default() += 1;
    }
    let mut ranked: Vec<_> = per_mineral.iter().collect();
    ranked.sort_by_key(|(_, n)| std::cmp::Reverse(**n));
    let top: BTreeSet<_> = ranked.iter().take(2).map(|(m, _)| **m).collect();
    assert_eq!(top, BTreeSet::from([Mineral::RockSalt, Mineral::Fluorite]));
    assert!(per_mineral.get(&Mineral::Tin).is_some_and(|n| *n >= 3));
    assert!(per_mineral.get(&Mineral::RareEarth).is_some_and(|n| *n >= 3));
}

#[test]
fn five_licences_expired_before_november_2026() {
    let d = demo();
    let november = county_midnight_ms(2026, 11, 1);
    let expired: Vec<_> = d.licences().iter().filter(|l| l.valid_to < november).collect();
    assert_eq!(expired.len(), 5);
    assert!(expired.iter().all(|l| l.valid_to >= county_midnight_ms(2025, 1, 1)), "recently expired");
    assert_eq!(d.licences_valid_at(november).count(), 49);
    let end_of_2030 = county_midnight_ms(2030, 12, 31);
    assert!(d.licences().iter().all(|l| l.valid_to <= end_of_2030 && l.valid_from < EPOCH_MS && l.valid_from < l.valid_to));
}

#[test]
fn each_licensed_area_is_small_and_inside_its_one_village() {
    let d = demo();
    for l in d.licences() {
        let [village] = l.villages.as_slice() else { panic!("{:?} names one village", l.licence) };
        let boundary = d.unit(village).expect("the village exists").boundary.as_ref().expect("a demo village has its boundary");
        assert!(boundary.to_geo().contains(&l.area.to_geo()), "{:?} lies inside {village:?}", l.licence);
        let km2 = area_m2(&l.area) / 1e6;
        assert!((0.05..=1.0).contains(&km2), "{:?} covers {km2} km²", l.licence);
        assert!(l.top_m > l.bottom_m, "{:?} levels", l.licence);
    }
    let villages: BTreeSet<_> = d.licences().iter().flat_map(|l| &l.villages).collect();
    assert_eq!(villages.len(), 54, "one licence per village, so licensed areas never overlap");
}
