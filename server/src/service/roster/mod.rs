//! The county's roster (花名册) as a CSV or XLSX file with Chinese or English headings: its
//! township-level units and villages, its people, and each village officer's zone from a day on
//! (docs/people.md). Imported all or nothing with every problem given by row and column, applying
//! only the differences as events authored in the name of an admin; exported in the same form.
//!
//! # Layout
//! - `columns`: the columns, their headings and cell words in either language; `dates`: days.
//! - `table`: a file as rows of text cells (CSV, XLSX), read and written.
//! - `parse`: rows into typed unit and person rows. `problem`: where each problem is.
//! - `stored`: the people, units and zones the store holds. `plan`: what to author (pure).
//! - `import`, `export`: carried out on the store.

mod columns;
mod dates;
mod export;
mod import;
mod parse;
mod plan;
mod problem;
mod stored;
mod table;

pub use columns::Language;
pub use export::export;
pub use import::{OnStep, RosterOptions, Step, import};
pub use plan::Summary;
pub use problem::{RosterProblem, RosterProblems};
pub use table::Format;

use crate::store::StoreError;

/// The most bytes a roster file may hold (a county's few hundred people fit many times over).
pub const MAX_ROSTER_BYTES: usize = 16 * 1024 * 1024;

/// Why a roster was not imported or exported.
#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    #[error("the roster is refused; nothing was imported:\n{0}")]
    Invalid(RosterProblems),
    #[error("the file cannot be read as a roster: {0}")]
    Unreadable(String),
    #[error("the roster cannot be written: {0}")]
    Encode(String),
    #[error("{0} is not an enabled admin of this store: the roster's changes are made in an admin's name")]
    NotAnAdmin(sync_protocol::ids::UserId),
    #[error("the check stopped: {0}")]
    Check(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}
