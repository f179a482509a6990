//! The county's 54 mine licences as `licence.granted` bodies: 46 mining rights (7 from the city,
//! 39 from the county) and 8 exploration rights, each a small area inside one village's core cell.
//!
//! Licence numbers are modelled on the national form, not real: `C` (mining) or `T` (exploration),
//! the issuer's region code (`360700` the city, `360799` the county), the year and month of
//! issue, a category (`711` mining, `021` exploration) and a 7-digit serial, e.g.
//! `C3607992019047110000012`. Exploration rights are issued by the city (a county issues none).

use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use sync_protocol::body::{IssuingLevel, LicenceGranted, Mineral, RightKind, UnitDefined};
use sync_protocol::values::Polygon;

use super::calendar::county_midnight_ms;
use super::grid::{Block, CELL_H_E7, CELL_W_E7, regular};
use super::layout::VillagePlan;
use super::names::mineral_label;
use super::slug;

use Mineral::{
    BuildingSandGravelClay, CementLimestone, Fluorite, Gold, Kaolin, Mirabilite, OrnamentalGranite, Quartz, RareEarth, RockSalt, Tin,
    Tungsten,
};

const CITY_MINING: [Mineral; 7] = [RockSalt, RockSalt, RockSalt, Fluorite, Fluorite, Tin, RareEarth];
const COUNTY_MINING: [(Mineral, usize); 10] = [
    (RockSalt, 11),
    (Fluorite, 11),
    (Kaolin, 3),
    (OrnamentalGranite, 3),
    (CementLimestone, 3),
    (BuildingSandGravelClay, 3),
    (Tin, 2),
    (RareEarth, 1),
    (Mirabilite, 1),
    (Quartz, 1),
];
const EXPLORATION: [Mineral; 8] = [Tin, Tin, RareEarth, RareEarth, Tungsten, Tungsten, Fluorite, Gold];
/// County mining licences (by serial) that expired before November 2026: a rock-salt mine, a
/// fluorite mine, a kaolin pit, a granite quarry and a brick-clay pit.
const EXPIRED_COUNTY_SERIALS: [u32; 5] = [5, 16, 24, 27, 33];
const EXPLORERS: [&str; 3] = [
    "Yunshan Geological Exploration Co., Ltd. / 云山地质勘查有限公司",
    "Qingfeng Mineral Exploration Co., Ltd. / 青峰矿产勘查有限公司",
    "Hongyan Geological Survey Institute / 鸿岩地质调查院",
];
/// Metres per 1e-7 degree near 25.5°N, to size licensed areas.
const M_PER_E7_LON: f64 = 0.010_053_8;
const M_PER_E7_LAT: f64 = 0.011_078_0;

/// What one licence is, before it is placed.
#[derive(Debug, Clone, Copy)]
struct Spec {
    mineral: Mineral,
    right: RightKind,
    issuer: IssuingLevel,
    /// 1-based within its issuer and right.
    serial: u32,
    expired: bool,
}

fn specs() -> Vec<Spec> {
    let spec = |mineral, right, issuer, serial, expired| Spec { mineral, right, issuer, serial, expired };
    let county_minerals = COUNTY_MINING.iter().flat_map(|&(m, n)| std::iter::repeat_n(m, n));
    let city = (1..).zip(CITY_MINING).map(|(k, m)| spec(m, RightKind::Mining, IssuingLevel::City, k, false));
    let county =
        (1..).zip(county_minerals).map(|(k, m)| spec(m, RightKind::Mining, IssuingLevel::County, k, EXPIRED_COUNTY_SERIALS.contains(&k)));
    let exploration = (1..).zip(EXPLORATION).map(|(k, m)| spec(m, RightKind::Exploration, IssuingLevel::City, k, false));
    city.chain(county).chain(exploration).collect()
}

/// Every licence, each in its own village, chosen pseudo-randomly among all villages.
pub fn licences(rng: &mut ChaCha8Rng, plans: &[VillagePlan], villages: &[UnitDefined]) -> Vec<LicenceGranted> {
    let mut hosts: Vec<(&VillagePlan, &UnitDefined)> = plans.iter().zip(villages).collect();
    hosts.shuffle(rng);
    specs().into_iter().zip(hosts).map(|(spec, (plan, village))| licence(rng, spec, plan.core, village)).collect()
}

fn licence(rng: &mut ChaCha8Rng, spec: Spec, core: Block, village: &UnitDefined) -> LicenceGranted {
    let (from, to) = validity(rng, spec);
    let (top_m, bottom_m) = levels(rng, spec);
    LicenceGranted {
        licence: slug(&number(spec, from)),
        holder: holder(spec, village),
        mineral: spec.mineral,
        right: spec.right,
        issuer: spec.issuer,
        valid_from: county_midnight_ms(from.0, from.1, from.2),
        valid_to: county_midnight_ms(to.0, to.1, to.2),
        area: area(rng, core),
        top_m,
        bottom_m,
        villages: vec![village.unit.clone()],
    }
}

type Date = (i32, u32, u32);

/// Valid through 2026-12 … 2030 unless expired (then the end is in 2025 or before 2026-10).
/// Terms: city mining 10 years, county mining 3–8, exploration 5; every licence was granted
/// before 2026, when the demo begins.
fn validity(rng: &mut ChaCha8Rng, spec: Spec) -> (Date, Date) {
    let (m, d) = (rng.gen_range(1..=12), rng.gen_range(1..=28));
    let end_year = match (spec.expired, m) {
        (true, 1..=9) => rng.gen_range(2025..=2026),
        (true, _) => 2025,
        (false, 12) => rng.gen_range(2026..=2030),
        (false, _) => rng.gen_range(2027..=2030),
    };
    let term = match (spec.right, spec.issuer) {
        (RightKind::Exploration, _) => 5,
        (RightKind::Mining, IssuingLevel::City) => 10,
        (RightKind::Mining, IssuingLevel::County) => rng.gen_range((end_year - 2024).max(3)..=8),
    };
    ((end_year - term, m, d), (end_year, m, d))
}

fn number(spec: Spec, (year, month, _): Date) -> String {
    let (letter, category) = match spec.right {
        RightKind::Mining => ('C', "711"),
        RightKind::Exploration => ('T', "021"),
    };
    let region = match spec.issuer {
        IssuingLevel::City => "360700",
        IssuingLevel::County => "360799",
    };
    format!("{letter}{region}{year:04}{month:02}{category}{:07}", spec.serial)
}

fn holder(spec: Spec, village: &UnitDefined) -> String {
    let (mineral, mineral_zh) = mineral_label(spec.mineral);
    let place = village.name.trim_end_matches(" Village");
    let place_zh = village.name_zh.trim_end_matches('村');
    match (spec.right, spec.issuer) {
        (RightKind::Mining, IssuingLevel::City) => {
            format!("Yunshan {place} {mineral} Mining Co., Ltd. / 云山{place_zh}{mineral_zh}矿业有限公司")
        }
        (RightKind::Mining, IssuingLevel::County) => format!("{place} {mineral} Mine / {place_zh}{mineral_zh}矿"),
        (RightKind::Exploration, _) => EXPLORERS[spec.serial as usize % EXPLORERS.len()].into(),
    }
}

/// Licensed levels as elevations: the top is the ground (220–620 m above sea level), the depth
/// depends on how the mineral is worked (brine wells for salt, in-situ leaching for rare earth,
/// open pits for quarry minerals, underground workings for the rest).
fn levels(rng: &mut ChaCha8Rng, spec: Spec) -> (i32, i32) {
    let top = rng.gen_range(220..=620);
    let (shallowest, deepest) = match (spec.right, spec.mineral) {
        (RightKind::Exploration, _) => (200, 600),
        (_, RockSalt | Mirabilite) => (400, 900),
        (_, RareEarth) => (15, 60),
        (_, Kaolin | OrnamentalGranite | CementLimestone | BuildingSandGravelClay | Quartz) => (20, 120),
        _ => (100, 400),
    };
    (top, top - rng.gen_range(shallowest..=deepest))
}

/// A quadrilateral of about 0.08–0.9 km² (at least 0.055 km² after its corners are pulled in by
/// up to 1/12 of a side), inside the middle 22 %–78 % of the cell, which jitter never reaches.
fn area(rng: &mut ChaCha8Rng, core: Block) -> Polygon {
    let [x0, y0] = regular(core.c0, core.r0);
    let target_m2 = f64::from(rng.gen_range(80_000..=900_000));
    let aspect = f64::from(rng.gen_range(60..=150)) / 100.0;
    let w = ((target_m2 * aspect).sqrt() / M_PER_E7_LON).round() as i32;
    let h = ((target_m2 / aspect).sqrt() / M_PER_E7_LAT).round() as i32;
    let west = rng.gen_range(x0 + CELL_W_E7 / 100 * 22..=x0 + CELL_W_E7 / 100 * 78 - w);
    let south = rng.gen_range(y0 + CELL_H_E7 / 100 * 22..=y0 + CELL_H_E7 / 100 * 78 - h);
    let corners = [(west, south, 1, 1), (west + w, south, -1, 1), (west + w, south + h, -1, -1), (west, south + h, 1, -1)];
    let mut ring: Vec<[i32; 2]> =
        corners.iter().map(|&(x, y, sx, sy)| [x + sx * rng.gen_range(0..=w / 12), y + sy * rng.gen_range(0..=h / 12)]).collect();
    ring.push(ring[0]);
    Polygon(vec![ring])
}
