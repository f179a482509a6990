//! Tests of the demo county: the figures are DOMAIN.md's, the tiling has no gaps or overlaps,
//! every body validates, and the generator is deterministic.

mod figures;
mod licences;
mod order;
mod tiling;

use std::sync::LazyLock;

use geo::GeodesicArea;
use sync_protocol::ids::{UnitId, ZoneId};
use sync_protocol::values::Polygon;

use super::{DemoCounty, county};

/// Built once for the whole test binary; `order::county_is_deterministic` checks a fresh one.
static DEMO: LazyLock<DemoCounty> = LazyLock::new(county);

fn demo() -> &'static DemoCounty {
    &DEMO
}

/// Geodesic area on the WGS 84 ellipsoid, in square metres.
fn area_m2(p: &Polygon) -> f64 {
    p.to_geo().geodesic_area_unsigned()
}

fn unit_id(s: &str) -> UnitId {
    UnitId::new(s).expect("a test id is a slug")
}

fn zone_id(s: &str) -> ZoneId {
    ZoneId::new(s).expect("a test id is a slug")
}
