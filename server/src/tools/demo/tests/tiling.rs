//! The geometry: villages tile the county with no gaps and no overlaps, every boundary is a
//! valid counter-clockwise polygon, and each village lies in its own township and no other.

use geo::{BooleanOps, BoundingRect, GeodesicArea, Intersects, Relate, Validation, Winding};
use sync_protocol::body::UnitDefined;

use super::{area_m2, demo};

/// The county's area in DOMAIN.md.
const COUNTY_KM2: f64 = 1_248.0;
/// An overlap below this is floating-point noise along a shared edge.
const NOISE_M2: f64 = 1.0;

/// A demo unit's boundary (every demo unit has one).
fn outline(u: &UnitDefined) -> &sync_protocol::values::Polygon {
    u.boundary.as_ref().expect("a demo unit has its boundary")
}

fn overlap_m2(a: &UnitDefined, b: &UnitDefined) -> f64 {
    outline(a).to_geo().intersection(&outline(b).to_geo()).geodesic_area_unsigned()
}

#[test]
fn villages_add_up_to_the_county() {
    let d = demo();
    let villages: f64 = d.village_units().iter().map(|v| area_m2(outline(v))).sum();
    let townships: f64 = d.township_units().iter().map(|t| area_m2(outline(t))).sum();
    let county = area_m2(outline(d.county_unit()));
    assert!((villages / 1e6 - COUNTY_KM2).abs() / COUNTY_KM2 < 0.01, "villages cover {} km²", villages / 1e6);
    assert!((villages - county).abs() / county < 1e-4, "villages {villages} m², county {county} m²");
    assert!((townships - county).abs() / county < 1e-4, "townships {townships} m², county {county} m²");
}

#[test]
fn no_two_villages_overlap() {
    let villages = demo().village_units();
    let boxes: Vec<_> = villages.iter().map(|v| outline(v).to_geo().bounding_rect().expect("a village has points")).collect();
    let mut neighbours = 0;
    for i in 0..villages.len() {
        for j in i + 1..villages.len() {
            if !boxes[i].intersects(&boxes[j]) {
                continue;
            }
            neighbours += 1;
            let overlap = overlap_m2(&villages[i], &villages[j]);
            assert!(overlap < NOISE_M2, "{:?} and {:?} overlap by {overlap} m²", villages[i].unit, villages[j].unit);
        }
    }
    assert!(neighbours > 200, "the check compared real neighbours ({neighbours})");
}

#[test]
fn every_boundary_is_a_valid_counter_clockwise_polygon() {
    let d = demo();
    let units = std::iter::once(d.county_unit()).chain(d.township_units()).chain(d.village_units());
    let polygons = units.map(|u| (u.unit.to_string(), outline(u))).chain(d.licences().iter().map(|l| (l.licence.to_string(), &l.area)));
    for (id, polygon) in polygons {
        let geo = polygon.to_geo();
        assert_eq!(geo.check_validation(), Ok(()), "{id}");
        assert!(geo.exterior().is_ccw(), "{id} shell is counter-clockwise");
        assert!(geo.interiors().is_empty(), "{id} has no holes");
    }
}

#[test]
fn each_village_lies_in_its_township_and_no_other() {
    let d = demo();
    for village in d.village_units() {
        let parent = village.parent.as_ref().expect("a village has a township");
        for township in d.township_units() {
            if &township.unit == parent {
                assert!(outline(township).to_geo().relate(&outline(village).to_geo()).is_covers(), "{:?} in {parent:?}", village.unit);
            } else {
                assert!(overlap_m2(township, village) < NOISE_M2, "{:?} reaches into {:?}", village.unit, township.unit);
            }
        }
    }
}

#[test]
fn zones_are_their_villages() {
    let d = demo();
    for (village, zone) in d.village_units().iter().zip(d.zones()) {
        assert_eq!((&zone.village, &zone.boundary), (&village.unit, outline(village)));
        assert_eq!(Some(&zone.township), village.parent.as_ref());
    }
}

#[test]
fn each_farm_borders_the_township_whose_office_serves_it() {
    let d = demo();
    for inspector in d.inspectors().iter().filter(|i| i.units.len() == 2) {
        let [office, farm] = [&inspector.units[0], &inspector.units[1]].map(|id| outline(d.unit(id).expect("unit")).to_geo());
        assert!(office.relate(&farm).is_touches(), "{:?}", inspector.user);
    }
}
