//! Reference data as a GeoJSON file (`docs/reference-data.md`): units, zones with their officers,
//! and licences, imported all or nothing with every problem reported, and exported back.
//!
//! # Layout
//! - `format`: the typed [`ReferenceSet`] and how it is written (features, times, dates).
//! - `parse`, `properties`, `geometry`: what needs only the file: form, properties, polygons.
//! - `problem`: [`Problem`] (one variant per rule) and [`Findings`], printed one per line.
//! - `stored`: the reference data the store holds, folded from its events.
//! - `resolve`: references against the file and the store. `plan`: what to author.
//! - `validate`: the whole check, pure. `import`, `export`: carried out on the store.
//! - `progress`: the terminal progress bar.

mod error;
mod export;
#[cfg(test)]
mod fixtures;
pub mod format;
pub mod geometry;
mod import;
mod licence_plan;
mod parse;
mod plan;
mod problem;
pub mod progress;
mod properties;
mod resolve;
mod stored;
mod validate;

pub use error::ReferenceFileError;
pub use export::{export, reference_set};
pub use format::{Assignment, ReferenceSet, ZoneEntry, to_text};
pub use import::{ImportOptions, MAX_FILE_BYTES, import, read_file};
pub use licence_plan::licence_change;
pub use plan::{Plan, Summary};
pub use problem::{Finding, Findings, Locator, Problem};
pub use stored::Stored;
pub use validate::{Checked, Limits, check_file, decide, validate};
