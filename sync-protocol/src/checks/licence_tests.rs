//! Table tests of the licence checks: hand-made rectangles and an L-shape with every rule and
//! boundary of `checks::licence`.

use super::licence::*;
use super::licence_history::{DAY_MS, LicenceHistory};
use crate::body::{
    Body, FindingKind, FindingReported, IssuingLevel, LicenceCancelled, LicenceChanged, LicenceGranted, LicenceTransferred, Mineral,
    RightKind,
};
use crate::ids::{EventId, LicenceId, UnitId, ZoneId};
use crate::values::{Coord, Polygon};

/// 2026-01-01 00:00 Asia/Shanghai.
const D0: i64 = 1_767_196_800_000;
/// When findings are observed unless a row says otherwise.
const T: i64 = D0 + 200 * DAY_MS;
const LON: i32 = 1_145_000_000;
const LAT: i32 = 255_000_000;

fn id(s: &str) -> LicenceId {
    LicenceId::new(s).expect("licence")
}

fn ring(points: &[(i32, i32)]) -> Vec<[i32; 2]> {
    points.iter().chain(points.first()).map(|(x, y)| [LON + x, LAT + y]).collect()
}

fn rect(x0: i32, y0: i32, x1: i32, y1: i32) -> Vec<[i32; 2]> {
    ring(&[(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
}

fn licence(name: &str, right: RightKind, mineral: Mineral, area: Vec<Vec<[i32; 2]>>, levels: (i32, i32), valid_days: i64) -> Body {
    Body::LicenceGranted(LicenceGranted {
        licence: id(name),
        holder: format!("{name} 矿业有限公司"),
        mineral,
        right,
        issuer: IssuingLevel::County,
        valid_from: D0,
        valid_to: D0 + valid_days * DAY_MS,
        area: Polygon(area),
        top_m: levels.0,
        bottom_m: levels.1,
        villages: vec![UnitId::new("T01-V01").expect("unit")],
    })
}

/// The county of the tests (x, y in 1e-7 degree from the base point, about 1.1 cm each):
/// - M1 mining, tungsten, 0..1000 square with a hole 400..600, levels 850..620 m;
/// - E1 exploration, rare earth, an L: 2000..4000 × 0..1000 and 3000..4000 × 1000..2000, 500..100 m;
/// - M2 mining, tin, 3000..4000 × 1500..2500 (overlapping E1's top), 400..0 m;
/// - M3 mining, iron, 3000..4000 × 2000..3000 (overlapping M2), 1000..600 m;
/// - X1 mining, copper, 5000..6000, expired after day 100; C1 cancelled from day 50;
///   T1 transferred on day 10; CH1 whose area shrinks to 11000..11500 on day 30;
///   F1 valid only from day 300.
fn county() -> LicenceHistory {
    use Mineral::*;
    use RightKind::*;
    let all = 100_000;
    let mut bodies = vec![
        licence("M1", Mining, Tungsten, vec![rect(0, 0, 1000, 1000), rect(400, 400, 600, 600)], (850, 620), all),
        licence(
            "E1",
            Exploration,
            RareEarth,
            vec![ring(&[(2000, 0), (4000, 0), (4000, 2000), (3000, 2000), (3000, 1000), (2000, 1000)])],
            (500, 100),
            all,
        ),
        licence("M2", Mining, Tin, vec![rect(3000, 1500, 4000, 2500)], (400, 0), all),
        licence("M3", Mining, Iron, vec![rect(3000, 2000, 4000, 3000)], (1000, 600), all),
        licence("X1", Mining, Copper, vec![rect(5000, 0, 6000, 1000)], (850, 620), 100),
        licence("C1", Mining, Copper, vec![rect(7000, 0, 8000, 1000)], (850, 620), all),
        licence("T1", Mining, Copper, vec![rect(9000, 0, 10000, 1000)], (850, 620), all),
        licence("CH1", Mining, Copper, vec![rect(11000, 0, 12000, 1000)], (850, 620), all),
        Body::LicenceCancelled(LicenceCancelled { licence: id("C1"), effective_from: D0 + 50 * DAY_MS, reason: "注销".into() }),
        Body::LicenceTransferred(LicenceTransferred { licence: id("T1"), holder: "乙公司".into(), effective_from: D0 + 10 * DAY_MS }),
        Body::LicenceChanged(LicenceChanged {
            licence: id("CH1"),
            effective_from: D0 + 30 * DAY_MS,
            area: Some(Polygon(vec![rect(11000, 0, 11500, 1000)])),
            top_m: None,
            bottom_m: None,
            mineral: None,
            right: None,
            villages: None,
        }),
    ];
    let mut f1 = licence("F1", Mining, Gold, vec![rect(13000, 0, 14000, 1000)], (850, 620), all);
    if let Body::LicenceGranted(g) = &mut f1 {
        g.valid_from = D0 + 300 * DAY_MS;
    }
    bodies.push(f1);
    LicenceHistory::from_events(&bodies)
}

/// A finding of `kind` at (x, y), observed at [`T`], stating nothing else.
fn finding(kind: FindingKind, x: i32, y: i32) -> FindingReported {
    FindingReported {
        patrol: EventId(uuid::Uuid::nil()),
        zone: ZoneId::new("Z-T01-V01").expect("zone"),
        kind,
        location: Coord { lon: LON + x, lat: LAT + y },
        depth_m: None,
        surface_elevation_m: None,
        licence: None,
        mineral: None,
        description: String::new(),
        stopped_on_spot: false,
        observed_at: T,
    }
}

fn mining(x: i32, y: i32) -> FindingReported {
    finding(FindingKind::UnlicensedMining, x, y)
}

fn named(name: &str, f: FindingReported) -> FindingReported {
    FindingReported { licence: Some(id(name)), kind: FindingKind::BeyondLicence, ..f }
}

/// Working at `surface - depth`.
fn deep(depth: i32, surface: i32, f: FindingReported) -> FindingReported {
    FindingReported { depth_m: Some(depth), surface_elevation_m: Some(surface), ..f }
}

fn observed(days: i64, f: FindingReported) -> FindingReported {
    FindingReported { observed_at: D0 + days * DAY_MS, ..f }
}

fn unlicensed() -> LicenceFlag {
    LicenceFlag::UnlicensedArea { named: None }
}

fn area(name: &str) -> LicenceFlag {
    LicenceFlag::OutsideLicence { licence: id(name), reason: OutsideReason::Area }
}

fn levels(name: &str, working_m: i32, top_m: i32, bottom_m: i32) -> DepthLevels {
    DepthLevels { licence: id(name), working_m, top_m, bottom_m }
}

fn depth(name: &str, working_m: i32, top_m: i32, bottom_m: i32) -> LicenceFlag {
    LicenceFlag::OutsideLicence { licence: id(name), reason: OutsideReason::Depth(levels(name, working_m, top_m, bottom_m)) }
}

fn exploration(name: &str) -> LicenceFlag {
    LicenceFlag::MiningUnderExploration { licence: id(name) }
}

fn not_in_force(name: &str, why: NotInForce) -> LicenceFlag {
    LicenceFlag::UnlicensedArea { named: Some(NamedNotInForce { licence: id(name), why }) }
}

/// X1's term ended after day 100.
fn expired_x1() -> LicenceFlag {
    LicenceFlag::ExpiredLicence { licence: id("X1"), valid_to: D0 + 100 * DAY_MS }
}

/// (case, finding, linked licence, flags, high priority)
type Case = (&'static str, FindingReported, Option<&'static str>, Vec<LicenceFlag>, bool);

#[test]
fn where_a_finding_lies_and_what_it_raises() {
    use FindingKind::*;
    let h = county();
    let cases: Vec<Case> = vec![
        ("inside a mining right", mining(100, 100), Some("M1"), vec![], false),
        ("on its edge", mining(1000, 500), Some("M1"), vec![], false),
        ("on its corner", mining(0, 0), Some("M1"), vec![], false),
        ("in its hole", mining(500, 500), None, vec![unlicensed()], false),
        ("on the hole's edge", mining(400, 500), Some("M1"), vec![], false),
        ("just outside", mining(1001, 500), None, vec![unlicensed()], false),
        ("every mining kind in no licence", finding(UnapprovedMethod, 1001, 500), None, vec![unlicensed()], false),
        ("a hazard in no licence", finding(GeologicalHazard, 1001, 500), None, vec![], false),
        ("a resource fee in a hole", finding(IllegalResourceFee, 500, 500), None, vec![], false),
        ("a tailings pond in no licence", finding(TailingsWithoutApproval, 1500, 500), None, vec![], false),
        ("an expired licence is none, and named", mining(5500, 500), None, vec![expired_x1(), unlicensed()], false),
        ("on the licence's last day", observed(100, mining(5500, 500)), Some("X1"), vec![], false),
        ("late on the last day", FindingReported { observed_at: D0 + 101 * DAY_MS - 1, ..mining(5500, 500) }, Some("X1"), vec![], false),
        ("the day after the last", observed(101, mining(5500, 500)), None, vec![expired_x1(), unlicensed()], false),
        ("an expired licence, a hazard", finding(GeologicalHazard, 5500, 500), None, vec![], false),
        ("exploring in an expired licence", finding(UnlicensedExploration, 5500, 500), None, vec![expired_x1(), unlicensed()], false),
        ("cancelled", mining(7500, 500), None, vec![unlicensed()], false),
        ("before the cancellation", observed(49, mining(7500, 500)), Some("C1"), vec![], false),
        ("transferred, still in force", mining(9500, 500), Some("T1"), vec![], false),
        ("before the area changed", observed(29, mining(11700, 500)), Some("CH1"), vec![], false),
        ("after it moved the point out", mining(11700, 500), None, vec![unlicensed()], false),
        ("not yet valid", mining(13500, 500), None, vec![unlicensed()], false),
        ("mining on an exploration right", mining(2500, 500), Some("E1"), vec![exploration("E1")], true),
        ("in the L's corner", mining(3000, 1000), Some("E1"), vec![exploration("E1")], true),
        ("outside the L's notch", mining(2500, 1500), None, vec![unlicensed()], false),
        ("a hazard on an exploration right", finding(GeologicalHazard, 2500, 500), Some("E1"), vec![], true),
        (
            "a protected licence whatever the finding's mineral",
            FindingReported { mineral: Some(Mineral::Copper), ..mining(2500, 500) },
            Some("E1"),
            vec![exploration("E1")],
            true,
        ),
        ("exploring on an exploration right", finding(UnlicensedExploration, 2500, 500), Some("E1"), vec![], true),
        ("exploring on a mining right, below it", deep(300, 700, finding(UnlicensedExploration, 100, 100)), Some("M1"), vec![], false),
        ("exploring in no licence", finding(UnlicensedExploration, 1500, 500), None, vec![unlicensed()], false),
        ("a protected mineral found", FindingReported { mineral: Some(Mineral::Tin), ..mining(100, 100) }, Some("M1"), vec![], true),
        (
            "rare earth in no licence",
            FindingReported { mineral: Some(Mineral::RareEarth), ..mining(1500, 500) },
            None,
            vec![unlicensed()],
            true,
        ),
        ("mining right before exploration", mining(3500, 1700), Some("M2"), vec![], true),
        ("even when only exploration fits", deep(50, 500, mining(3500, 1700)), Some("M2"), vec![depth("M2", 450, 400, 0)], true),
        ("the lowest id without depth", mining(3500, 2200), Some("M2"), vec![], true),
        ("the one whose levels fit, in a tin licence too", deep(100, 800, mining(3500, 2200)), Some("M3"), vec![], true),
        ("the other whose levels fit", deep(100, 400, mining(3500, 2200)), Some("M2"), vec![], true),
        ("working inside the levels", deep(100, 800, mining(100, 100)), Some("M1"), vec![], false),
        ("working above the top", deep(0, 851, mining(100, 100)), Some("M1"), vec![depth("M1", 851, 850, 620)], false),
        ("working at the top", deep(0, 850, mining(100, 100)), Some("M1"), vec![], false),
        ("working at the bottom", deep(200, 820, mining(100, 100)), Some("M1"), vec![], false),
        ("working below the bottom", deep(200, 812, mining(100, 100)), Some("M1"), vec![depth("M1", 612, 850, 620)], false),
        ("a named mine beyond its area, in no licence", named("M1", mining(1500, 500)), None, vec![area("M1"), unlicensed()], false),
        (
            "exploration named beyond its area",
            FindingReported { kind: UnlicensedExploration, ..named("M1", mining(1500, 500)) },
            None,
            vec![area("M1"), unlicensed()],
            false,
        ),
        ("a named mine beyond its area into another", named("M1", mining(2500, 500)), Some("E1"), vec![area("M1")], true),
        (
            "a named mine below its levels",
            named("M1", deep(200, 812, mining(100, 100))),
            Some("M1"),
            vec![depth("M1", 612, 850, 620)],
            false,
        ),
        ("a named mine within its terms", named("M1", deep(100, 800, mining(999, 999))), Some("M1"), vec![], false),
        ("a named mine in a hole of its area", named("M1", mining(500, 500)), None, vec![area("M1"), unlicensed()], false),
        ("a named exploration right", named("E1", mining(2500, 500)), Some("E1"), vec![exploration("E1")], true),
        ("the named licence is linked first", named("E1", mining(3500, 1700)), Some("E1"), vec![exploration("E1")], true),
        (
            "a named licence expired",
            named("X1", mining(5500, 500)),
            None,
            vec![expired_x1(), not_in_force("X1", NotInForce::Expired { valid_to: D0 + 100 * DAY_MS })],
            false,
        ),
        (
            "a named expired licence in another",
            named("X1", mining(100, 100)),
            Some("M1"),
            vec![expired_x1(), not_in_force("X1", NotInForce::Expired { valid_to: D0 + 100 * DAY_MS })],
            false,
        ),
        (
            "a named licence cancelled",
            named("C1", mining(7500, 500)),
            None,
            vec![not_in_force("C1", NotInForce::Cancelled { cancelled_from: D0 + 50 * DAY_MS })],
            false,
        ),
        (
            "a named licence not yet valid",
            named("F1", mining(13500, 500)),
            None,
            vec![not_in_force("F1", NotInForce::NotYetValid { valid_from: D0 + 300 * DAY_MS })],
            false,
        ),
        (
            "a named licence never granted",
            named("NOPE", mining(100, 100)),
            Some("M1"),
            vec![not_in_force("NOPE", NotInForce::NeverGranted)],
            false,
        ),
        (
            "a named protected mine's mineral",
            FindingReported { kind: GeologicalHazard, ..named("M2", mining(100, 100)) },
            Some("M1"),
            vec![],
            true,
        ),
    ];
    for (case, f, linked, flags, high) in cases {
        let verdict = check_finding(&f, &h);
        assert_eq!(verdict.licence, linked.map(id), "{case}: linked licence");
        assert_eq!(verdict.flags, flags, "{case}: flags");
        assert_eq!(verdict.high_priority, high, "{case}: high priority");
    }
}

#[test]
fn the_depth_check_says_what_it_compared_or_why_not() {
    let h = county();
    let inside = |f: FindingReported| check_finding(&f, &h).depth;
    let cases = [
        ("no licence", deep(10, 700, mining(1500, 500)), DepthCheck::NotChecked { why: DepthNotChecked::NoLicence }),
        (
            "no depth",
            FindingReported { surface_elevation_m: Some(700), ..mining(100, 100) },
            DepthCheck::NotChecked { why: DepthNotChecked::NoDepth },
        ),
        (
            "no surface",
            FindingReported { depth_m: Some(10), ..mining(100, 100) },
            DepthCheck::NotChecked { why: DepthNotChecked::NoSurfaceElevation },
        ),
        ("inside", deep(100, 800, mining(100, 100)), DepthCheck::Inside(levels("M1", 700, 850, 620))),
        ("outside", deep(200, 812, mining(100, 100)), DepthCheck::Outside(levels("M1", 612, 850, 620))),
        ("against the named licence", named("M1", deep(10, 600, mining(2500, 500))), DepthCheck::Outside(levels("M1", 590, 850, 620))),
        (
            "a hazard is measured too",
            deep(100, 800, finding(FindingKind::GeologicalHazard, 100, 100)),
            DepthCheck::Inside(levels("M1", 700, 850, 620)),
        ),
    ];
    for (case, f, want) in cases {
        assert_eq!(inside(f), want, "{case}");
    }
}

#[test]
fn flags_have_stable_kinds_and_details_with_the_numbers() {
    let cases = [
        (unlicensed(), "unlicensed_area", "in no licence in force when observed".to_owned()),
        (area("YS-C-0012"), "outside_licence", "outside the area of licence YS-C-0012".to_owned()),
        (depth("YS-C-0012", 612, 850, 620), "outside_licence", "working at 612 m, licence YS-C-0012 allows 850 m to 620 m".to_owned()),
        (exploration("E1"), "mining_under_exploration", "mining inside licence E1, an exploration right".to_owned()),
        (expired_x1(), "expired_licence", "licence X1 expired after its last day 2026-04-11".to_owned()),
        (
            not_in_force("X1", NotInForce::Expired { valid_to: D0 + 100 * DAY_MS }),
            "unlicensed_area",
            "names licence X1, which expired after its last day 2026-04-11".to_owned(),
        ),
        (
            not_in_force("C1", NotInForce::Cancelled { cancelled_from: D0 }),
            "unlicensed_area",
            "names licence C1, which is cancelled from 2026-01-01".to_owned(),
        ),
    ];
    for (flag, kind, detail) in cases {
        assert_eq!((flag.kind().as_str(), flag.detail()), (kind, detail));
        let json = serde_json::to_value(&flag).expect("json");
        assert_eq!(json["kind"], kind);
        assert_eq!(serde_json::from_value::<LicenceFlag>(json).expect("reads back"), flag);
    }
}

#[test]
fn a_verdict_is_stored_as_json_and_read_back() {
    let h = county();
    let verdict = check_finding(&named("M1", deep(200, 812, mining(100, 100))), &h);
    let json = serde_json::to_value(&verdict).expect("json");
    assert_eq!(
        json,
        serde_json::json!({
            "licence": "M1",
            "flags": [{"kind": "outside_licence", "licence": "M1", "reason": {"what": "depth", "licence": "M1", "working_m": 612, "top_m": 850, "bottom_m": 620}}],
            "high_priority": false,
            "depth": {"result": "outside", "licence": "M1", "working_m": 612, "top_m": 850, "bottom_m": 620}
        })
    );
    assert_eq!(serde_json::from_value::<LicenceVerdict>(json).expect("reads back"), verdict);
}

#[test]
fn high_priority_says_which_protected_mineral_and_where_from() {
    let h = county();
    let protected = |f: FindingReported| check_finding(&f, &h).protected;
    let tin = |licence: Option<&str>| Some(Protected { mineral: Mineral::Tin, licence: licence.map(id) });
    let cases = [
        ("tin found", FindingReported { mineral: Some(Mineral::Tin), ..mining(1500, 500) }, tin(None)),
        (
            "naming a tin licence, elsewhere",
            FindingReported { kind: FindingKind::IllegalTrading, ..named("M2", mining(1500, 500)) },
            tin(Some("M2")),
        ),
        ("in a tin licence", finding(FindingKind::IllegalTrading, 3500, 2400), tin(Some("M2"))),
        ("in a rare earth exploration right", mining(2500, 500), Some(Protected { mineral: Mineral::RareEarth, licence: Some(id("E1")) })),
        ("copper in a copper licence", FindingReported { mineral: Some(Mineral::Copper), ..mining(5500, 500) }, None),
    ];
    for (case, f, want) in cases {
        assert_eq!(protected(f), want, "{case}");
    }
    assert_eq!(tin(Some("M2")).map(|p| p.describe()).as_deref(), Some("tin, the mineral of licence M2 (保护性开采特定矿种)"));
    let rare_earth = Protected { mineral: Mineral::RareEarth, licence: None };
    assert_eq!(rare_earth.describe(), "rare earth found (保护性开采特定矿种)");
}
