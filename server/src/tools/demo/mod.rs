//! The deterministic demo county: a fictional county near 114.5°E, 25.5°N built from DOMAIN.md's
//! figures as the reference bodies the server authors (units, zones, users, assignments, licences).
//!
//! Yunshan County (云山县) does not exist; its numbers are those of the real county the project
//! serves: about 1,248 km², 15 township-level units (8 乡, 5 镇, 2 场) with 13 land offices,
//! 134 villages with one patrol zone each, 127 village officers, 39 township inspectors (3 per
//! land office), 4 county auditors, 7 commissioners, 1 admin, and 54 mine licences.
//!
//! # Layout
//! - `grid`: the shared, jittered 14 × 10 vertex grid every boundary is cut from, so the villages
//!   tile the county with no gaps and no overlaps.
//! - `layout`: which block of cells each township-level unit covers, the 6 merged cell pairs
//!   (140 cells, 134 villages) and the 7 villages with no officer.
//! - `names`: pinyin and Chinese names for villages, people and minerals.
//! - `units`, `people`, `licences`: the bodies of each kind.
//! - `calendar`: county dates as Unix milliseconds, without a clock.
//! - `demo_county`: [`DemoCounty`] and its accessors.
//! - `small`: the second, smaller county of a demo deployment of two ([`small_county`]).
//! - `generated`: the counties past the second of a demo deployment of more ([`deployment_county`]).
//!
//! The 7 zones with no officer are `Z-T02-V09`, `Z-T04-V09`, `Z-T06-V09`, `Z-T09-V09`,
//! `Z-T12-V11`, `Z-T13-V07` and `Z-T15-V06`: posts left vacant after the 2026 village-committee
//! elections (see `layout::VACANT`); they exercise the "zone without an officer" paths.
//!
//! Pure: no IO, no clock, no OS randomness. Pseudo-random choices come from
//! `ChaCha8Rng::seed_from_u64(SEED)`, one stream per concern, so changing the names never moves a
//! boundary. Ids: county `CTY`; units `T01` … `T15` (T14 and T15 are the farms) and `T03-V02`;
//! zones `Z-T03-V02`; users `vo-t03-v02`, `ti-t03-1`, `ca-1`, `cm-1`, `admin`.

mod calendar;
mod demo_county;
mod generated;
mod grid;
mod layout;
mod licences;
mod names;
mod people;
mod small;
mod units;

#[cfg(test)]
mod tests;

use std::str::FromStr;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sync_protocol::ValidationError;

pub use calendar::county_midnight_ms;
pub use demo_county::DemoCounty;
pub use generated::{MAX_DEMO_COUNTIES, deployment_county, deployment_county_name};
pub use small::small_county;
pub use units::COUNTY_ID;

/// The seed of every pseudo-random choice in the demo county.
pub const SEED: u64 = 0x5041_5452_4F4C; // "PATROL"

/// 2026-01-01T00:00+08:00 as Unix milliseconds: zones are valid, and officers assigned, from here.
pub const EPOCH_MS: i64 = county_midnight_ms(2026, 1, 1);

/// The demo deployment's first two counties, code and name, in order: `serve --demo --counties 2`
/// loads both; a demo of more generates the others ([`deployment_county_name`]).
pub const DEMO_COUNTIES: [(&str, &str); 2] = [("yunshan", "云山县 Yunshan County"), ("baiyun", "白云县 Baiyun County")];

/// Streams of the seeded generator, one per concern.
const GRID_STREAM: u64 = 1;
const NAME_STREAM: u64 = 2;
const PEOPLE_STREAM: u64 = 3;
const LICENCE_STREAM: u64 = 4;
const COUNTY_NAME_STREAM: u64 = 5;

/// Builds the demo county. Pure and deterministic: every call returns an equal value.
pub fn county() -> DemoCounty {
    county_seeded(SEED)
}

/// The demo county's layout with every pseudo-random choice (boundaries' jitter, names, people,
/// licences) drawn from `seed`: [`county`] is `SEED`'s.
fn county_seeded(seed: u64) -> DemoCounty {
    let grid = grid::Grid::jittered(&mut rng_of(seed, GRID_STREAM));
    let plans = layout::villages();
    let village_names = names::village_names(&mut rng_of(seed, NAME_STREAM), plans.len());
    let villages = units::village_units(&grid, &plans, &village_names);
    DemoCounty {
        county: units::county_unit(&grid),
        townships: units::township_units(&grid),
        zones: units::zones(&grid, &plans, &villages),
        people: people::people(&mut rng_of(seed, PEOPLE_STREAM), &plans),
        licences: licences::licences(&mut rng_of(seed, LICENCE_STREAM), &plans, &villages),
        villages,
    }
}

fn rng(stream: u64) -> ChaCha8Rng {
    rng_of(SEED, stream)
}

fn rng_of(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// Builds an id from one of this module's fixed ASCII patterns (`T03-V02`, `vo-t03-v02`, …).
/// Those patterns always pass the slug rules, and the tests check every id, so a failure here
/// is a bug in this module, not bad input.
fn slug<T: FromStr<Err = ValidationError>>(s: &str) -> T {
    T::from_str(s).unwrap_or_else(|e| panic!("demo id {s:?} must be a slug: {e}"))
}
