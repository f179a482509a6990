//! The whole check of a file, all or nothing: parse every feature, resolve every reference, plan
//! against the store; either a plan or every problem, in a stable order. Pure.

use std::collections::HashMap;
use sync_protocol::body::UserEnrolled;

use super::parse::{Parsed, parse};
use super::plan::{Plan, plan};
use super::problem::Findings;
use super::resolve::resolve;
use super::stored::Stored;

/// How to check a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most vertices one polygon may have (all its rings together).
    pub max_vertices: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_vertices: super::geometry::DEFAULT_MAX_VERTICES }
    }
}

/// Checks `text` against `stored` and decides what to author: [`check_file`] then [`decide`].
pub fn validate(
    text: &str,
    stored: &Stored,
    enrol: &[UserEnrolled],
    limits: Limits,
    now_ms: i64,
    step: impl FnMut(),
) -> Result<Plan, Findings> {
    decide(check_file(text, limits, step), stored, enrol, now_ms)
}

/// What needs only the file (form, properties, polygons, duplicates): the slow part, done before
/// the store is locked. `step` is called once per feature.
pub fn check_file(text: &str, limits: Limits, step: impl FnMut()) -> Checked {
    let (parsed, findings) = parse(text, limits.max_vertices, step);
    Checked { parsed, findings }
}

/// A file's well-formed features and the problems found so far.
#[derive(Debug, Clone)]
pub struct Checked {
    pub parsed: Vec<Parsed>,
    pub findings: Findings,
}

/// Resolves references against the store and plans; the plan is made only when nothing is wrong.
/// References are resolved for the well-formed features. `enrol` are users enrolled by the same
/// import (they count as known officers).
pub fn decide(checked: Checked, stored: &Stored, enrol: &[UserEnrolled], now_ms: i64) -> Result<Plan, Findings> {
    let Checked { parsed, mut findings } = checked;
    let users: HashMap<_, _> = enrol.iter().map(|u| (u.user.clone(), u.role)).collect();
    findings.extend(resolve(&parsed, stored, &users));
    if !findings.is_empty() {
        return Err(findings.sorted());
    }
    plan(&parsed, stored, enrol, now_ms).map_err(Findings::sorted)
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
