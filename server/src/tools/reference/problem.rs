//! What can be wrong with a reference file: one [`Problem`] variant per rule, each with a stable
//! rule name, and [`Finding`]s that say where (which feature) a problem was found.

use std::fmt;

/// Which ring of a polygon: 0 is the shell, 1… the holes, as in GeoJSON.
pub type Ring = usize;

/// One broken rule. [`Problem::rule`] is the stable name printed and documented for each variant.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Problem {
    #[error("the file is not JSON: {0}")]
    NotJson(String),
    #[error("the file is not a GeoJSON FeatureCollection: {0}")]
    NotFeatureCollection(String),
    #[error("the feature is not a GeoJSON Feature: {0}")]
    MalformedFeature(String),
    #[error("the feature has no string \"id\" (the unit, zone or licence id)")]
    MissingId,
    #[error("the id {value:?} is not a valid id: {reason}")]
    InvalidId { value: String, reason: String },
    #[error("properties.kind is missing")]
    MissingKind,
    #[error("properties.kind {0:?} is none of unit, zone, licence")]
    UnknownKind(String),
    #[error("properties.{0} is missing")]
    MissingProperty(&'static str),
    #[error("properties.{name} is invalid: {reason}")]
    InvalidProperty { name: &'static str, reason: String },
    #[error("properties.{0} is not a property of this kind")]
    UnknownProperty(String),
    #[error("the feature has no geometry")]
    MissingGeometry,
    #[error("a MultiPolygon is not accepted: units, zones and licences hold one polygon each")]
    MultiPolygon,
    #[error("the geometry is a {0}, not a Polygon")]
    NotAPolygon(String),
    #[error("the polygon has no shell")]
    NoShell,
    #[error("ring {ring}, position {index}: a position has 2 numbers (longitude, latitude), or 3 with an altitude")]
    PositionForm { ring: Ring, index: usize },
    #[error("ring {ring}, position {index}: a coordinate is not a finite number")]
    NotFinite { ring: Ring, index: usize },
    #[error("ring {ring}, position {index}: [{lon}, {lat}] is outside longitude -180…180, latitude -90…90")]
    OutOfRange { ring: Ring, index: usize, lon: f64, lat: f64 },
    #[error("ring {ring} has {count} positions; a ring has at least 4")]
    RingTooShort { ring: Ring, count: usize },
    #[error("ring {ring} is not closed: its last position differs from its first")]
    RingNotClosed { ring: Ring },
    #[error("ring {ring} has fewer than 3 distinct positions")]
    RingDegenerate { ring: Ring },
    #[error("ring {ring} intersects itself")]
    SelfIntersection { ring: Ring },
    #[error("hole {ring} is not inside the shell")]
    HoleOutsideShell { ring: Ring },
    #[error("rings {a} and {b} cross or overlap")]
    RingsCross { a: Ring, b: Ring },
    #[error("the polygon has {count} vertices, more than the cap of {cap}")]
    TooManyVertices { count: usize, cap: usize },
    #[error("{kind} {id} is also feature #{first}")]
    DuplicateId { kind: &'static str, id: String, first: usize },
    #[error("{what} {id} is neither in the file nor in the store")]
    UnknownReference { what: &'static str, id: String },
    #[error("{what} {id} is a {found}, expected {expected}")]
    WrongLevel { what: &'static str, id: String, found: String, expected: &'static str },
    #[error("village {village} belongs to {actual}, not to township {township}")]
    TownshipMismatch { village: String, township: String, actual: String },
    #[error("officer {officer} is a {role}, not a village officer")]
    NotVillageOfficer { officer: String, role: String },
    #[error("officer {officer} is also assigned by feature #{first}")]
    OfficerTwice { officer: String, first: usize },
    #[error("the store's zone version is valid from {stored}; a new version must not start earlier ({file})")]
    ZoneVersionBeforeCurrent { stored: String, file: String },
    #[error("officer {officer} is assigned in the store from {stored}; a new assignment must not start earlier ({file})")]
    AssignmentBeforeCurrent { officer: String, stored: String, file: String },
    #[error("licence {licence}: {what} cannot change in a lifecycle event; grant a new licence")]
    LicenceUnchangeable { licence: String, what: &'static str },
}

impl Problem {
    /// The rule's stable name, as printed and as listed in `docs/reference-data.md`.
    pub fn rule(&self) -> &'static str {
        match self {
            Problem::NotJson(_) => "not_json",
            Problem::NotFeatureCollection(_) => "not_feature_collection",
            Problem::MalformedFeature(_) => "malformed_feature",
            Problem::MissingId => "missing_id",
            Problem::InvalidId { .. } => "invalid_id",
            Problem::MissingKind => "missing_kind",
            Problem::UnknownKind(_) => "unknown_kind",
            Problem::MissingProperty(_) => "missing_property",
            Problem::InvalidProperty { .. } => "invalid_property",
            Problem::UnknownProperty(_) => "unknown_property",
            Problem::MissingGeometry => "missing_geometry",
            Problem::MultiPolygon => "multipolygon",
            Problem::NotAPolygon(_) => "not_a_polygon",
            Problem::NoShell => "no_shell",
            Problem::PositionForm { .. } => "position_form",
            Problem::NotFinite { .. } => "not_finite",
            Problem::OutOfRange { .. } => "out_of_range",
            Problem::RingTooShort { .. } => "ring_too_short",
            Problem::RingNotClosed { .. } => "ring_not_closed",
            Problem::RingDegenerate { .. } => "ring_degenerate",
            Problem::SelfIntersection { .. } => "self_intersection",
            Problem::HoleOutsideShell { .. } => "hole_outside_shell",
            Problem::RingsCross { .. } => "rings_cross",
            Problem::TooManyVertices { .. } => "too_many_vertices",
            Problem::DuplicateId { .. } => "duplicate_id",
            Problem::UnknownReference { .. } => "unknown_reference",
            Problem::WrongLevel { .. } => "wrong_level",
            Problem::TownshipMismatch { .. } => "township_mismatch",
            Problem::NotVillageOfficer { .. } => "not_village_officer",
            Problem::OfficerTwice { .. } => "officer_twice",
            Problem::ZoneVersionBeforeCurrent { .. } => "zone_version_before_current",
            Problem::AssignmentBeforeCurrent { .. } => "assignment_before_current",
            Problem::LicenceUnchangeable { .. } => "licence_unchangeable",
        }
    }
}

/// Where a problem is: the whole file, or one feature by its position (from 0) and its id if it
/// has one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Locator {
    File,
    Feature { index: usize, id: Option<String> },
}

/// A problem at a place in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub at: Locator,
    pub problem: Problem,
}

impl Finding {
    pub fn file(problem: Problem) -> Finding {
        Finding { at: Locator::File, problem }
    }

    pub fn feature(index: usize, id: Option<&str>, problem: Problem) -> Finding {
        Finding { at: Locator::Feature { index, id: id.map(str::to_string) }, problem }
    }
}

impl fmt::Display for Finding {
    /// `feature #3 (Z-T01-V01): ring_not_closed: ring 0 is not closed: …`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.at {
            Locator::File => write!(f, "file")?,
            Locator::Feature { index, id: Some(id) } => write!(f, "feature #{index} ({id})")?,
            Locator::Feature { index, id: None } => write!(f, "feature #{index}")?,
        }
        write!(f, ": {}: {}", self.problem.rule(), self.problem)
    }
}

/// Every problem of a file, in a stable order: file-level first, then by feature position, and
/// within a feature in the order the checks ran.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Findings(pub Vec<Finding>);

impl Findings {
    pub fn push(&mut self, finding: Finding) {
        self.0.push(finding);
    }

    pub fn extend(&mut self, other: Findings) {
        self.0.extend(other.0);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Sorts by place; the sort is stable, so one feature's problems keep their check order.
    pub fn sorted(mut self) -> Findings {
        self.0.sort_by(|a, b| a.at.cmp(&b.at));
        self
    }

    /// The rule names, in order (for tests and summaries).
    pub fn rules(&self) -> Vec<&'static str> {
        self.0.iter().map(|f| f.problem.rule()).collect()
    }
}

impl fmt::Display for Findings {
    /// One problem per line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for finding in &self.0 {
            writeln!(f, "{finding}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_sort_by_place_and_keep_check_order_within_a_feature() {
        let findings = Findings(vec![
            Finding::feature(2, Some("b"), Problem::MissingKind),
            Finding::feature(0, Some("a"), Problem::MissingGeometry),
            Finding::file(Problem::NotFeatureCollection("x".into())),
            Finding::feature(0, Some("a"), Problem::MissingId),
        ])
        .sorted();
        assert_eq!(findings.rules(), ["not_feature_collection", "missing_geometry", "missing_id", "missing_kind"]);
    }

    #[test]
    fn a_finding_prints_place_rule_and_message_on_one_line() {
        let line = Finding::feature(3, Some("Z-1"), Problem::RingNotClosed { ring: 0 }).to_string();
        assert_eq!(line, "feature #3 (Z-1): ring_not_closed: ring 0 is not closed: its last position differs from its first");
        assert_eq!(Finding::feature(4, None, Problem::MissingId).to_string().lines().count(), 1);
    }
}
