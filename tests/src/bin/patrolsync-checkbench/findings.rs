//! The findings the corpus plants on officers' walks, each placed by intent in or out of the
//! licences of the register (in force, expired, exploration-only, protected, renewed) and labelled
//! by docs/checks.md's licence rules: the flags it must carry, whether it is high priority, and the
//! licence in force it lies in.

use std::collections::BTreeSet;

use anyhow::{Context, Result};
use geo::Polygon;
use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use sync_protocol::body::{FindingKind, FindingReported, LicenceGranted, Mineral, RightKind};
use sync_protocol::ids::{EventId, LicenceId};
use sync_protocol::wire::FlagKind::{self, *};

use crate::frame::{Xy, depth_m};
use crate::licences::{expired, in_force};
use crate::officers::Officer;
use crate::walks::point_inside;

/// One kind of planted finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FindingCase {
    Lawful,
    BelowLevels,
    NamedElsewhere,
    NamedElsewhereInOwn,
    NamedUnknown,
    Unlicensed,
    UnlicensedProtected,
    ExplorationFree,
    ExplorationInRight,
    MiningInRight,
    InExpired,
    NamedExpired,
    InRenewed,
    Hazard,
    HazardInProtected,
    TradingProtected,
}

use FindingCase::*;

/// Every case with its share of the findings (the hazards fill the rest) and what it is.
pub const CASES: [(FindingCase, f64, &str); 16] = [
    (Lawful, 0.12, "mining by the method not approved, inside a licence in force, within its levels or no depth given"),
    (BelowLevels, 0.07, "mining inside a licence in force below its licensed levels, naming it or not"),
    (NamedElsewhere, 0.06, "mining naming another village's licence, where no licence is"),
    (NamedElsewhereInOwn, 0.05, "mining naming another village's licence, inside the zone's own licence in force"),
    (NamedUnknown, 0.03, "mining naming a licence number never granted, where no licence is"),
    (Unlicensed, 0.08, "unlicensed mining where no licence is"),
    (UnlicensedProtected, 0.05, "unlicensed mining of tin or rare earth where no licence is"),
    (ExplorationFree, 0.05, "unlicensed exploration (无证勘查) where no licence is"),
    (ExplorationInRight, 0.05, "exploration inside an exploration right in force"),
    (MiningInRight, 0.06, "mining inside an exploration-only right (以采代探)"),
    (InExpired, 0.08, "mining inside a licence whose term has ended, not naming it"),
    (NamedExpired, 0.05, "mining naming the expired licence it lies in"),
    (InRenewed, 0.04, "mining inside a licence renewed under a new number over the same area"),
    (Hazard, 0.0, "a hazard, tailings, equipment, trading, fee or other finding where no licence is"),
    (HazardInProtected, 0.05, "a geological hazard inside a tin or rare-earth licence, in force or expired"),
    (TradingProtected, 0.05, "illegal trading of tin or rare earth"),
];

impl FindingCase {
    pub fn name(self) -> String {
        format!("finding:{self:?}")
    }
}

/// A planted finding on the walk `host` (an index of the placed walks).
#[derive(Debug, Clone)]
pub struct PlannedFinding {
    pub host: usize,
    pub case: FindingCase,
    pub body: FindingReported,
    pub expect: BTreeSet<FlagKind>,
    pub high_priority: bool,
    pub linked: Option<LicenceId>,
}

/// A walk that may carry findings: its placed index, officer and times.
#[derive(Debug, Clone, Copy)]
pub struct Host {
    pub placed: usize,
    pub officer: usize,
    pub started_at: i64,
    pub ended_at: i64,
}

/// The register as one officer's zone sees it: every licence, and those in the zone in its plane.
struct Local<'a> {
    all: &'a [LicenceGranted],
    here: Vec<(&'a LicenceGranted, Polygon<f64>)>,
}

/// `n` findings on the given host walks: each case at least once, by its share.
pub fn plant(
    n: usize,
    hosts: &[Host],
    officers: &[Officer],
    register: &[LicenceGranted],
    rng: &mut ChaCha8Rng,
) -> Result<Vec<PlannedFinding>> {
    let mut wanted: Vec<FindingCase> =
        CASES.iter().filter(|c| c.1 > 0.0).flat_map(|c| std::iter::repeat_n(c.0, ((c.1 * n as f64).round() as usize).max(1))).collect();
    wanted.resize(n.max(wanted.len() + 1), Hazard);
    let locals: Vec<Local> = officers
        .iter()
        .map(|o| Local {
            all: register,
            here: register.iter().filter(|l| o.holds(&l.area)).map(|l| (l, o.frame.polygon(&l.area))).collect(),
        })
        .collect();
    let mut out = Vec::new();
    for case in wanted {
        let mut order: Vec<&Host> = hosts.iter().collect();
        order.shuffle(rng);
        let planted = order.into_iter().find_map(|h| {
            let t = rng.gen_range(h.started_at..=h.ended_at);
            place(case, &officers[h.officer], &locals[h.officer], t, rng).map(|f| (h, t, f))
        });
        let (h, t, f) = planted.with_context(|| format!("no walk of the corpus can carry a {case:?} finding (use more officers)"))?;
        out.push(finish(case, h, t, &officers[h.officer], f));
    }
    Ok(out)
}

/// Where a finding of a case is made and what it states, before its label.
struct Placement {
    at: Xy,
    kind: FindingKind,
    named: Option<LicenceId>,
    mineral: Option<Mineral>,
    depth: Option<(i32, i32)>,
    expect: Vec<FlagKind>,
    /// A licence that holds the location or is named is of a protected mineral.
    in_protected: bool,
    linked: Option<LicenceId>,
}

impl Placement {
    /// Work of `kind` at `at`, naming `named`, among the `involved` licences (named or holding
    /// it), `linked` the one in force it lies in.
    fn new(
        at: Xy,
        kind: FindingKind,
        named: Option<&LicenceGranted>,
        expect: &[FlagKind],
        involved: &[&LicenceGranted],
        linked: Option<&LicenceGranted>,
    ) -> Placement {
        Placement {
            at,
            kind,
            named: named.map(|l| l.licence.clone()),
            mineral: None,
            depth: None,
            expect: expect.to_vec(),
            in_protected: involved.iter().any(|l| l.mineral.is_protected()),
            linked: linked.map(|l| l.licence.clone()),
        }
    }
}

/// Where and when a finding is made: the officer's zone and its licences, at `t`.
struct Spot<'a> {
    o: &'a Officer,
    local: &'a Local<'a>,
    t: i64,
}

impl Spot<'_> {
    /// A licence of the zone that `f` accepts, with its area in the officer's plane.
    fn pick(&self, f: &dyn Fn(&LicenceGranted) -> bool, rng: &mut ChaCha8Rng) -> Option<(&LicenceGranted, &Polygon<f64>)> {
        let found: Vec<_> = self.local.here.iter().filter(|(l, _)| f(l)).collect();
        found.choose(rng).map(|(l, a)| (*l, a))
    }

    /// A mining licence in force, not one of a renewed pair.
    fn mining_in_force(&self, rng: &mut ChaCha8Rng) -> Option<(&LicenceGranted, &Polygon<f64>)> {
        self.pick(&|l| l.right == RightKind::Mining && in_force(l, self.t) && !renewed(self.local, l), rng)
    }

    fn free(&self, rng: &mut ChaCha8Rng) -> Option<Xy> {
        free(self.o, self.local, rng)
    }
}

fn place(case: FindingCase, o: &Officer, local: &Local<'_>, t: i64, rng: &mut ChaCha8Rng) -> Option<Placement> {
    let spot = Spot { o, local, t };
    match case {
        Lawful | BelowLevels => licensed_work(case, &spot, rng),
        NamedElsewhere | NamedElsewhereInOwn | NamedUnknown => named_elsewhere(case, &spot, rng),
        Unlicensed | ExplorationFree | UnlicensedProtected | TradingProtected | Hazard => where_no_licence_is(case, &spot, rng),
        ExplorationInRight | MiningInRight => {
            let (l, area) = spot.pick(&|l| l.right == RightKind::Exploration && in_force(l, t), rng)?;
            let (kind, expect): (_, &[FlagKind]) = match case {
                ExplorationInRight => (FindingKind::UnlicensedExploration, &[]),
                _ => (FindingKind::MiningUnderExploration, &[MiningUnderExploration]),
            };
            Some(Placement::new(inside(area, local, l, rng)?, kind, None, expect, &[l], Some(l)))
        }
        InExpired | NamedExpired => {
            let (l, area) = spot.pick(&|l| expired(l, t) && !renewed(local, l), rng)?;
            let named = (case == NamedExpired).then_some(l);
            let kind = if named.is_some() { FindingKind::BeyondLicence } else { FindingKind::UnlicensedMining };
            Some(Placement::new(inside(area, local, l, rng)?, kind, named, &[ExpiredLicence, UnlicensedArea], &[l], None))
        }
        InRenewed => {
            let (new, area) = spot.pick(&|l| in_force(l, t) && renewed(local, l), rng)?;
            let old: Vec<&LicenceGranted> = local.here.iter().map(|(l, _)| *l).filter(|l| l.area == new.area).collect();
            Some(Placement::new(inside(area, local, new, rng)?, FindingKind::UnapprovedMethod, None, &[], &old, Some(new)))
        }
        HazardInProtected => {
            let (l, area) = spot.pick(&|l| l.mineral.is_protected(), rng)?;
            let linked = in_force(l, t).then_some(l);
            Some(Placement::new(inside(area, local, l, rng)?, FindingKind::GeologicalHazard, None, &[], &[l], linked))
        }
    }
}

/// Mining inside a licence in force: by a method not approved, within its levels or with no depth
/// given (no flag); or below its levels, naming it or not (`outside_licence`).
fn licensed_work(case: FindingCase, spot: &Spot<'_>, rng: &mut ChaCha8Rng) -> Option<Placement> {
    let (l, area) = spot.mining_in_force(rng)?;
    let at = inside(area, spot.local, l, rng)?;
    let span = l.top_m - l.bottom_m;
    let named = (case == BelowLevels && rng.gen_bool(0.5)).then_some(l);
    let (kind, expect, depth): (_, &[FlagKind], _) = match case {
        Lawful => (FindingKind::UnapprovedMethod, &[], rng.gen_bool(0.5).then(|| (l.top_m, rng.gen_range(5..span - 5)))),
        _ => (FindingKind::BeyondLicence, &[OutsideLicence], Some((l.top_m, span + rng.gen_range(20..80)))),
    };
    Some(Placement { depth, mineral: rng.gen_bool(0.5).then_some(l.mineral), ..Placement::new(at, kind, named, expect, &[l], Some(l)) })
}

/// Mining naming a licence that does not hold the place: another village's in force, where no
/// licence is (both flags) or inside the zone's own licence in force (`outside_licence`); or a
/// number never granted (`unlicensed_area`).
fn named_elsewhere(case: FindingCase, spot: &Spot<'_>, rng: &mut ChaCha8Rng) -> Option<Placement> {
    let kind = FindingKind::BeyondLicence;
    if case == NamedUnknown {
        let named = LicenceId::new("C3607992019017110009999").ok()?;
        return Some(Placement { named: Some(named), ..Placement::new(spot.free(rng)?, kind, None, &[UnlicensedArea], &[], None) });
    }
    let here = &spot.local.here;
    let elsewhere: Vec<&LicenceGranted> =
        spot.local.all.iter().filter(|l| in_force(l, spot.t) && !here.iter().any(|(h, _)| h.licence == l.licence)).collect();
    let named = *elsewhere.choose(rng)?;
    if case == NamedElsewhere {
        return Some(Placement::new(spot.free(rng)?, kind, Some(named), &[OutsideLicence, UnlicensedArea], &[named], None));
    }
    let (m, area) = spot.mining_in_force(rng)?;
    Some(Placement::new(inside(area, spot.local, m, rng)?, kind, Some(named), &[OutsideLicence], &[named, m], Some(m)))
}

/// Work where no licence is: unlicensed mining or exploration (`unlicensed_area`), of a protected
/// mineral or not; trading in a protected mineral, or work that needs no licence (no licence flag).
fn where_no_licence_is(case: FindingCase, spot: &Spot<'_>, rng: &mut ChaCha8Rng) -> Option<Placement> {
    let kind = match case {
        Unlicensed | UnlicensedProtected => FindingKind::UnlicensedMining,
        ExplorationFree => FindingKind::UnlicensedExploration,
        TradingProtected => FindingKind::IllegalTrading,
        _ => *[
            FindingKind::GeologicalHazard,
            FindingKind::TailingsWithoutApproval,
            FindingKind::UnsafeEquipment,
            FindingKind::IllegalResourceFee,
            FindingKind::IllegalTrading,
            FindingKind::Other,
        ]
        .choose(rng)?,
    };
    let protected = matches!(case, UnlicensedProtected | TradingProtected);
    let mineral = if protected { Some(*[Mineral::Tin, Mineral::RareEarth].choose(rng)?) } else { plain_mineral(rng) };
    let expect: &[FlagKind] = if kind.needs_licence() { &[UnlicensedArea] } else { &[] };
    Some(Placement { mineral, ..Placement::new(spot.free(rng)?, kind, None, expect, &[], None) })
}

/// Whether another licence of the register has the same area (a renewal under a new number).
fn renewed(local: &Local<'_>, l: &LicenceGranted) -> bool {
    local.here.iter().any(|(o, _)| o.licence != l.licence && o.area == l.area)
}

fn plain_mineral(rng: &mut ChaCha8Rng) -> Option<Mineral> {
    [
        None,
        Some(Mineral::Fluorite),
        Some(Mineral::RockSalt),
        Some(Mineral::BuildingSandGravelClay),
        Some(Mineral::BrickClay),
        Some(Mineral::LeadZinc),
    ]
    .choose(rng)
    .copied()
    .flatten()
}

/// A point at least 15 m inside licence `l`'s area and 15 m outside every other licence of the
/// zone (but a renewal's twin, which has the same area).
fn inside(area: &Polygon<f64>, local: &Local<'_>, l: &LicenceGranted, rng: &mut ChaCha8Rng) -> Option<Xy> {
    (0..50).find_map(|_| {
        let at = point_inside(area, 15.0, rng)?;
        let clear = local.here.iter().filter(|(o, _)| o.area != l.area).all(|(_, a)| depth_m(a, at) < -15.0);
        clear.then_some(at)
    })
}

/// A point at least 60 m inside the zone and 60 m from every licence in it.
fn free(o: &Officer, local: &Local<'_>, rng: &mut ChaCha8Rng) -> Option<Xy> {
    (0..50).find_map(|_| {
        let at = point_inside(&o.area, 60.0, rng)?;
        local.here.iter().all(|(_, a)| depth_m(a, at) < -60.0).then_some(at)
    })
}

fn finish(case: FindingCase, h: &Host, t: i64, o: &Officer, f: Placement) -> PlannedFinding {
    let mut expect: BTreeSet<FlagKind> = f.expect.into_iter().collect();
    let high_priority = f.mineral.is_some_and(Mineral::is_protected) || f.in_protected;
    if high_priority {
        expect.insert(ProtectedMineral);
    }
    let body = FindingReported {
        patrol: EventId(uuid::Uuid::nil()),
        zone: o.zone.clone(),
        kind: f.kind,
        location: o.frame.coord(f.at),
        depth_m: f.depth.map(|(_, d)| d),
        surface_elevation_m: f.depth.map(|(s, _)| s),
        licence: f.named,
        mineral: f.mineral,
        description: format!("核查语料 corpus finding ({case:?})"),
        stopped_on_spot: t % 2 == 0,
        observed_at: t,
    };
    PlannedFinding { host: h.placed, case, body, expect, high_priority, linked: f.linked }
}
