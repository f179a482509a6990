//! The bodies as the server will author them: each one validates through its JSON, they come in
//! dependency order, and the generator gives the same county on every call.

use std::collections::BTreeSet;

use sync_protocol::body::{Authorship, Body, UnitLevel, kind};

use super::demo;
use crate::tools::demo::county;

#[test]
fn every_body_validates_through_its_json() {
    let bodies = demo().bodies();
    assert_eq!(bodies.len(), 1 + 15 + 134 + 134 + 178 + 127 + 54);
    for body in &bodies {
        let parsed = Body::parse(body.kind(), &body.to_value());
        assert_eq!(parsed.as_ref(), Ok(body), "{}", body.to_value());
        assert_eq!(body.authorship(), Authorship::Server);
    }
}

#[test]
fn bodies_come_kind_by_kind_in_authoring_order() {
    let rank = |k: &str| {
        [kind::UNIT_DEFINED, kind::ZONE_DEFINED, kind::USER_ENROLLED, kind::ASSIGNMENT_SET, kind::LICENCE_GRANTED]
            .iter()
            .position(|x| *x == k)
    };
    let ranks: Vec<_> = demo().bodies().iter().map(|b| rank(b.kind()).expect("a reference kind")).collect();
    assert!(ranks.is_sorted(), "units, zones, users, assignments, licences");
    let level_rank = |l: UnitLevel| match l {
        UnitLevel::County => 0,
        UnitLevel::Township | UnitLevel::Town | UnitLevel::Farm => 1,
        UnitLevel::Village => 2,
    };
    let levels: Vec<_> =
        demo().bodies().iter().filter_map(|b| if let Body::UnitDefined(u) = b { Some(level_rank(u.level)) } else { None }).collect();
    assert!(levels.is_sorted(), "units top-down");
}

#[test]
fn each_body_names_only_what_an_earlier_body_defined() {
    let (mut units, mut zones, mut users) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    for body in demo().bodies() {
        match body {
            Body::UnitDefined(u) => {
                assert!(u.parent.as_ref().is_none_or(|p| units.contains(p)), "{:?}", u.unit);
                assert!(units.insert(u.unit), "unit defined twice");
            }
            Body::ZoneDefined(z) => {
                assert!(units.contains(&z.village) && units.contains(&z.township), "{:?}", z.zone);
                assert!(zones.insert(z.zone), "zone defined twice");
            }
            Body::UserEnrolled(u) => {
                assert!(u.units.iter().all(|unit| units.contains(unit)), "{:?}", u.user);
                assert!(users.insert(u.user), "user enrolled twice");
            }
            Body::AssignmentSet(a) => assert!(users.contains(&a.officer) && a.zone.as_ref().is_some_and(|z| zones.contains(z))),
            Body::LicenceGranted(l) => assert!(l.villages.iter().all(|v| units.contains(v)), "{:?}", l.licence),
            other => panic!("not a reference body: {other:?}"),
        }
    }
}

#[test]
fn county_is_deterministic() {
    let (a, b) = (county(), county());
    assert_eq!(a, b);
    assert_eq!(&a, demo(), "also across threads and call sites");
    let json = |c: &crate::tools::demo::DemoCounty| c.bodies().iter().map(Body::to_value).collect::<Vec<_>>();
    assert_eq!(json(&a), json(&b));
}
