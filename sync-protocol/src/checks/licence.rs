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
//! - **Flags** are raised only for mining activity ([`crate::body::FindingKind::is_mining_activity`]):
//!   - the finding names a licence not in force at `observed_at` → `unlicensed_area`, saying why;
//!   - it names a licence in force but lies outside its area → `outside_licence` (area); inside
//!     it, outside its levels → `outside_licence` (depth), and if it is an exploration right →
//!     `mining_under_exploration`;
//!   - it names none: no linked licence → `unlicensed_area`; else the linked licence's levels
//!     not holding the working → `outside_licence` (depth), and an exploration right →
//!     `mining_under_exploration`.
//! - **High priority** when the finding's mineral is protected (rare earth, tin); if it states
//!   none, when the named licence's (in force or not) or the linked licence's mineral is.

use serde::{Deserialize, Serialize};

use super::licence_history::{LicenceHistory, LicenceTerms, Standing};
use crate::body::{FindingReported, RightKind};
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

impl LicenceFlag {
    /// The flag kind, as stored and shown.
    pub fn kind(&self) -> FlagKind {
        match self {
            LicenceFlag::UnlicensedArea { .. } => FlagKind::UnlicensedArea,
            LicenceFlag::OutsideLicence { .. } => FlagKind::OutsideLicence,
            LicenceFlag::MiningUnderExploration { .. } => FlagKind::MiningUnderExploration,
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
    let located = history.in_force_containing(c, t);
    let linked = pick(&located, finding.licence.as_ref(), working.ok());
    let named_terms = finding.licence.as_ref().and_then(|id| history.terms_at(id, t));
    let named_not_in_force = finding
        .licence
        .as_ref()
        .and_then(|id| not_in_force(named_terms.as_ref(), t).map(|why| NamedNotInForce { licence: id.clone(), why }));
    let named_in_force = named_terms.as_ref().filter(|_| named_not_in_force.is_none());
    let depth = depth_check(named_in_force.or(linked), working);
    let flags = match (finding.kind.is_mining_activity(), named_not_in_force, named_in_force, linked) {
        (false, ..) => Vec::new(),
        (true, Some(named), ..) => vec![LicenceFlag::UnlicensedArea { named: Some(named) }],
        (true, None, Some(n), _) => flags_inside(n, history.position(n, c), &depth),
        (true, None, None, Some(l)) => flags_inside(l, CoordPos::Inside, &depth),
        (true, None, None, None) => vec![LicenceFlag::UnlicensedArea { named: None }],
    };
    let high_priority = match finding.mineral {
        Some(m) => m.is_protected(),
        None => named_terms.iter().chain(linked).any(|x| x.mineral.is_protected()),
    };
    LicenceVerdict { licence: linked.map(|l| l.licence.clone()), flags, high_priority, depth }
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

/// The flags of mining under licence `l` in force, the location lying at `pos` to its area.
fn flags_inside(l: &LicenceTerms, pos: CoordPos, depth: &DepthCheck) -> Vec<LicenceFlag> {
    if pos == CoordPos::Outside {
        return vec![LicenceFlag::OutsideLicence { licence: l.licence.clone(), reason: OutsideReason::Area }];
    }
    let mut flags = Vec::new();
    if let DepthCheck::Outside(levels) = depth {
        flags.push(LicenceFlag::OutsideLicence { licence: l.licence.clone(), reason: OutsideReason::Depth(levels.clone()) });
    }
    if l.right == RightKind::Exploration {
        flags.push(LicenceFlag::MiningUnderExploration { licence: l.licence.clone() });
    }
    flags
}
