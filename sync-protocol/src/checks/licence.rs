//! The licence checks of a finding (DESIGN.md "Mine licences"): which licence its location lies
//! in at `observed_at`, and whether it is unlicensed, outside its licence, or mining on an exploration right.
//!
//! # The rules
//! Times and "in force" are those of [`super::licence_history`]: an expired, cancelled or not yet
//! valid licence counts as none. "Lies in" is the geofence's exact test: inside the area or on
//! its boundary (of the shell or a hole); inside a hole is outside.
//!
//! - **Linked licence** ([`LicenceVerdict::licence`]): among the licences in force whose area
//!   holds the location, the named one; else a mining right before an exploration right; then
//!   one whose levels hold the working's elevation; then the lowest licence id.
//! - **Depth**: the working's elevation is `surface_elevation_m - depth_m` (metres above sea
//!   level), checked against the levels (`bottom_m..=top_m`, both ends allowed) of the licence in
//!   question: the named licence when it is in force, else the linked one. With no such licence,
//!   no depth or no surface elevation, the depth is not checked and [`DepthCheck`] says why.
//! - **Flags** are raised only for work that needs a licence
//!   ([`crate::body::FindingKind::needs_licence`]: mining activity, and unlicensed exploration):
//!   - the licence in question (the named one when it is in force, else the linked one): the
//!     named one not holding the location → `outside_licence` (area); holding it but not the
//!     working's elevation → `outside_licence` (depth), and an exploration right →
//!     `mining_under_exploration` (these two for mining activity only: exploration is what an
//!     exploration right allows, and its depth is not licensed by levels);
//!   - `expired_licence`, naming the licence and its last day, for the named licence if its term
//!     has ended, and, when no licence in force holds the location, for every licence whose term
//!     has ended that holds it (named or not). Not when a licence in force holds it: a licence
//!     renewed under a new number covers the old one's area, and that is no violation;
//!   - `unlicensed_area` when no licence in force holds the location (whether or not a licence is
//!     named: naming one does not license a place outside it), or when the named licence is not in
//!     force (never granted, not yet valid, expired, cancelled: the flag says which).
//! - **High priority** ([`Protected`]) when the finding's mineral is protected (rare earth, tin),
//!   or the finding names a licence of a protected mineral, or lies in one, in force or not. The
//!   server raises `protected_mineral` for it and marks every flag of the finding high priority.

use serde::{Deserialize, Serialize};

use super::licence_history::{LicenceHistory, LicenceTerms, Standing};
use crate::body::{FindingReported, Mineral, RightKind};
use crate::ids::LicenceId;
use crate::values::county_date;
use crate::wire::FlagKind;
use geo::coordinate_position::CoordPos;

/// What the licence checks found for one finding; the server stores it as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenceVerdict {
    /// The licence the location lies in, in force at `observed_at` (the linked licence).
    pub licence: Option<LicenceId>,
    pub flags: Vec<LicenceFlag>,
    pub high_priority: bool,
    pub depth: DepthCheck,
    /// Why it is high priority (left out when it is not, so verdicts stored before this field read
    /// the same).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protected: Option<Protected>,
}

/// The protected mineral that makes a finding high priority, and the licence it comes from (none
/// when the finding states the mineral itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Protected {
    pub mineral: Mineral,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence: Option<LicenceId>,
}

impl Protected {
    /// e.g. "tin, the mineral of licence YS-C-0012 (保护性开采特定矿种)".
    pub fn describe(&self) -> String {
        let mineral = serde_json::to_value(self.mineral).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        let mineral = mineral.replace('_', " ");
        match &self.licence {
            Some(l) => format!("{mineral}, the mineral of licence {l} (保护性开采特定矿种)"),
            None => format!("{mineral} found (保护性开采特定矿种)"),
        }
    }
}

/// A licence problem of a finding. Wire form: an object with `"kind"` (see [`LicenceFlag::kind`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LicenceFlag {
    /// Mining in no licence in force, or under a named licence that is not in force.
    UnlicensedArea {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        named: Option<NamedNotInForce>,
    },
    /// Mining by a licence beyond its area or its levels.
    OutsideLicence { licence: LicenceId, reason: OutsideReason },
    /// Mining inside an exploration right (以采代探).
    MiningUnderExploration { licence: LicenceId },
    /// In (or naming) a licence whose term ended after its last day `valid_to`.
    ExpiredLicence { licence: LicenceId, valid_to: i64 },
}

/// A licence the finding names that is not in force at `observed_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedNotInForce {
    pub licence: LicenceId,
    pub why: NotInForce,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "standing", rename_all = "snake_case")]
pub enum NotInForce {
    NeverGranted,
    NotYetValid {
        valid_from: i64,
    },
    /// `valid_to` is the last valid day.
    Expired {
        valid_to: i64,
    },
    Cancelled {
        cancelled_from: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "what", rename_all = "snake_case")]
pub enum OutsideReason {
    Area,
    Depth(DepthLevels),
}

/// A working's elevation against a licence's levels, all in metres above sea level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepthLevels {
    pub licence: LicenceId,
    pub working_m: i32,
    pub top_m: i32,
    pub bottom_m: i32,
}

/// Whether the licensed levels were checked, and how it came out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum DepthCheck {
    Inside(DepthLevels),
    Outside(DepthLevels),
    NotChecked { why: DepthNotChecked },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DepthNotChecked {
    /// No licence in question: none named in force, none holding the location.
    NoLicence,
    NoDepth,
    NoSurfaceElevation,
}

impl LicenceVerdict {
    /// The flags this verdict raises on its finding, in the order the server raises them: each
    /// licence flag, then `protected_mineral` when the finding is high priority; with details.
    pub fn raised(&self) -> Vec<(FlagKind, String)> {
        let flags = self.flags.iter().map(|f| (f.kind(), f.detail()));
        flags.chain(self.protected.iter().map(|p| (FlagKind::ProtectedMineral, p.describe()))).collect()
    }
}

impl LicenceFlag {
    /// The flag kind, as stored and shown.
    pub fn kind(&self) -> FlagKind {
        match self {
            LicenceFlag::UnlicensedArea { .. } => FlagKind::UnlicensedArea,
            LicenceFlag::OutsideLicence { .. } => FlagKind::OutsideLicence,
            LicenceFlag::MiningUnderExploration { .. } => FlagKind::MiningUnderExploration,
            LicenceFlag::ExpiredLicence { .. } => FlagKind::ExpiredLicence,
        }
    }

    /// A sentence for people, with the numbers.
    pub fn detail(&self) -> String {
        match self {
            LicenceFlag::UnlicensedArea { named: None } => "in no licence in force when observed".into(),
            LicenceFlag::UnlicensedArea { named: Some(n) } => format!("names licence {}, {}", n.licence, n.why.describe()),
            LicenceFlag::OutsideLicence { licence, reason: OutsideReason::Area } => format!("outside the area of licence {licence}"),
            LicenceFlag::OutsideLicence { reason: OutsideReason::Depth(d), .. } => d.describe(),
            LicenceFlag::MiningUnderExploration { licence } => format!("mining inside licence {licence}, an exploration right"),
            LicenceFlag::ExpiredLicence { licence, valid_to } => {
                format!("licence {licence} expired after its last day {}", county_date(*valid_to))
            }
        }
    }
}

impl NotInForce {
    fn describe(&self) -> String {
        match self {
            NotInForce::NeverGranted => "which was never granted".into(),
            NotInForce::NotYetValid { valid_from } => format!("which is valid only from {}", county_date(*valid_from)),
            NotInForce::Expired { valid_to } => format!("which expired after its last day {}", county_date(*valid_to)),
            NotInForce::Cancelled { cancelled_from } => format!("which is cancelled from {}", county_date(*cancelled_from)),
        }
    }
}

impl DepthLevels {
    fn of(terms: &LicenceTerms, working_m: i32) -> Self {
        DepthLevels { licence: terms.licence.clone(), working_m, top_m: terms.top_m, bottom_m: terms.bottom_m }
    }

    /// e.g. "working at 612 m, licence YS-C-0012 allows 850 m to 620 m".
    pub fn describe(&self) -> String {
        format!("working at {} m, licence {} allows {} m to {} m", self.working_m, self.licence, self.top_m, self.bottom_m)
    }
}

/// The working's elevation in metres above sea level, or why it is not known.
pub fn working_elevation_m(f: &FindingReported) -> Result<i32, DepthNotChecked> {
    let depth = f.depth_m.ok_or(DepthNotChecked::NoDepth)?;
    let surface = f.surface_elevation_m.ok_or(DepthNotChecked::NoSurfaceElevation)?;
    // Both are validated to a few thousand metres; saturate rather than trust that here.
    Ok(surface.saturating_sub(depth))
}

/// The licence checks of one finding, by the rules in the module documentation.
pub fn check_finding(finding: &FindingReported, history: &LicenceHistory) -> LicenceVerdict {
    let t = finding.observed_at;
    let c = finding.location.to_geo();
    let working = working_elevation_m(finding);
    let here = history.containing(c, t);
    let located: Vec<(LicenceTerms, CoordPos)> = here.iter().filter(|(x, _)| x.in_force_at(t)).cloned().collect();
    let linked = pick(&located, finding.licence.as_ref(), working.ok());
    let named_terms = finding.licence.as_ref().and_then(|id| history.terms_at(id, t));
    let named_not_in_force = finding
        .licence
        .as_ref()
        .and_then(|id| not_in_force(named_terms.as_ref(), t).map(|why| NamedNotInForce { licence: id.clone(), why }));
    let named_in_force = named_terms.as_ref().filter(|_| named_not_in_force.is_none());
    let depth = depth_check(named_in_force.or(linked), working);
    let flags = if finding.kind.needs_licence() {
        let mining = finding.kind.is_mining_activity();
        let mut flags = match (&named_not_in_force, named_in_force, linked) {
            (Some(_), ..) => Vec::new(),
            (None, Some(n), _) => flags_inside(n, history.position(n, c), &depth, mining),
            (None, None, Some(l)) => flags_inside(l, CoordPos::Inside, &depth, mining),
            (None, None, None) => Vec::new(),
        };
        flags.extend(expired(named_terms.as_ref(), &here, located.is_empty(), t));
        if named_not_in_force.is_some() || located.is_empty() {
            flags.push(LicenceFlag::UnlicensedArea { named: named_not_in_force });
        }
        flags
    } else {
        Vec::new()
    };
    let protected = protected(finding, named_terms.as_ref(), &here);
    LicenceVerdict { licence: linked.map(|l| l.licence.clone()), flags, high_priority: protected.is_some(), depth, protected }
}

/// `expired_licence` for the named licence if its term has ended, and, when `unlicensed` (no
/// licence in force holds the location), for every other licence holding it whose term has ended.
fn expired(named: Option<&LicenceTerms>, here: &[(LicenceTerms, CoordPos)], unlicensed: bool, t: i64) -> Vec<LicenceFlag> {
    let ended = |x: &&LicenceTerms| x.standing_at(t) == Standing::Expired;
    let named = named.filter(ended);
    let others = here.iter().map(|(x, _)| x).filter(|_| unlicensed).filter(ended).filter(|x| named.is_none_or(|n| n.licence != x.licence));
    named.into_iter().chain(others).map(|x| LicenceFlag::ExpiredLicence { licence: x.licence.clone(), valid_to: x.valid_to }).collect()
}

/// The first reason the finding is high priority: its own mineral, the named licence's, then that
/// of any licence holding the location (in force or not, in licence id order).
fn protected(finding: &FindingReported, named: Option<&LicenceTerms>, here: &[(LicenceTerms, CoordPos)]) -> Option<Protected> {
    if let Some(m) = finding.mineral.filter(|m| m.is_protected()) {
        return Some(Protected { mineral: m, licence: None });
    }
    named
        .into_iter()
        .chain(here.iter().map(|(x, _)| x))
        .find(|x| x.mineral.is_protected())
        .map(|x| Protected { mineral: x.mineral, licence: Some(x.licence.clone()) })
}

/// Why a licence (its terms at `t`, `None` if never granted) is not in force at `t`; `None` if it is.
fn not_in_force(terms: Option<&LicenceTerms>, t: i64) -> Option<NotInForce> {
    let Some(x) = terms else { return Some(NotInForce::NeverGranted) };
    match x.standing_at(t) {
        Standing::InForce => None,
        Standing::NotYetValid => Some(NotInForce::NotYetValid { valid_from: x.valid_from }),
        Standing::Expired => Some(NotInForce::Expired { valid_to: x.valid_to }),
        Standing::Cancelled => Some(NotInForce::Cancelled { cancelled_from: x.cancelled_from.unwrap_or(t) }),
    }
}

/// The linked licence among those holding the location (ordered by licence id).
fn pick<'a>(located: &'a [(LicenceTerms, CoordPos)], named: Option<&LicenceId>, working: Option<i32>) -> Option<&'a LicenceTerms> {
    located
        .iter()
        .map(|(terms, _)| terms)
        .min_by_key(|x| (Some(&x.licence) != named, x.right != RightKind::Mining, !working.is_some_and(|w| x.allows_elevation(w))))
}

fn depth_check(subject: Option<&LicenceTerms>, working: Result<i32, DepthNotChecked>) -> DepthCheck {
    let Some(terms) = subject else { return DepthCheck::NotChecked { why: DepthNotChecked::NoLicence } };
    match working {
        Ok(w) if terms.allows_elevation(w) => DepthCheck::Inside(DepthLevels::of(terms, w)),
        Ok(w) => DepthCheck::Outside(DepthLevels::of(terms, w)),
        Err(why) => DepthCheck::NotChecked { why },
    }
}

/// The flags of work under licence `l` in force, the location lying at `pos` to its area; the
/// levels and the kind of right matter for `mining` only.
fn flags_inside(l: &LicenceTerms, pos: CoordPos, depth: &DepthCheck, mining: bool) -> Vec<LicenceFlag> {
    if pos == CoordPos::Outside {
        return vec![LicenceFlag::OutsideLicence { licence: l.licence.clone(), reason: OutsideReason::Area }];
    }
    let mut flags = Vec::new();
    if !mining {
        return flags;
    }
    if let DepthCheck::Outside(levels) = depth {
        flags.push(LicenceFlag::OutsideLicence { licence: l.licence.clone(), reason: OutsideReason::Depth(levels.clone()) });
    }
    if l.right == RightKind::Exploration {
        flags.push(LicenceFlag::MiningUnderExploration { licence: l.licence.clone() });
    }
    flags
}
