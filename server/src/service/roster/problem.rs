//! What can be wrong with a roster: each problem names its rule, its row (as the spreadsheet
//! numbers it, the heading row being 1) and its column (letter and heading), so that an
//! administrator finds the cell.

use std::fmt;

/// Where a problem is: a row, and a column if one cell is at fault.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cell {
    /// 1-based, as the spreadsheet numbers rows (1 is the heading row).
    pub row: usize,
    /// The column's letter and the heading the file gives it.
    pub column: Option<(String, String)>,
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RosterProblem {
    pub at: Cell,
    /// Stable rule name: `unknown_column`, `missing_column`, `missing_value`, `invalid_value`,
    /// `invalid_id`, `bad_date`, `duplicate_id`, `unknown_unit`, `wrong_level`,
    /// `officer_without_zone`, `zone_not_for_role`, `misplaced`, `zone_elsewhere`,
    /// `assignment_before_current`.
    pub rule: &'static str,
    pub message: String,
}

impl fmt::Display for RosterProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.at.column {
            Some((letter, heading)) => write!(f, "row {}, column {letter} ({heading}): {}: {}", self.at.row, self.rule, self.message),
            None => write!(f, "row {}: {}: {}", self.at.row, self.rule, self.message),
        }
    }
}

/// Every problem of a roster, in row and column order; printed one a line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RosterProblems(pub Vec<RosterProblem>);

impl fmt::Display for RosterProblems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.0 {
            writeln!(f, "{p}")?;
        }
        Ok(())
    }
}

impl RosterProblems {
    pub fn push(&mut self, at: Cell, rule: &'static str, message: impl Into<String>) {
        self.0.push(RosterProblem { at, rule, message: message.into() });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Sorted by row, then column.
    pub fn sorted(mut self) -> RosterProblems {
        self.0.sort();
        self
    }
}
