//! The checks made at ingest, carried out by the writer in the event's own transaction: the pure
//! functions of `sync_protocol::checks` decide, these files store their results and flags.
//!
//! # Layout
//! - `clock`: device clocks: each event's clock flagged by the rules, one notice per device.
//! - `ahead`: the half of the checks that reads the reference alone, computed by the parallel
//!   prepare step on the snapshot the writer publishes.
//! - `history`: the reference data in event time, rebuilt from the stored events.
//! - `overdue`: cases past a deadline, flagged on a timer.
//! - `patrol`: a new patrol's geofence report and quota decision, stored and flagged.
//! - `plausibility`: a new patrol's plausibility flags and its track fingerprint.
//! - `recheck`: the patrols a zone or assignment change touches, re-checked and re-flagged.
//! - `finding`: a new finding's licence verdict and flags.
//! - `fingerprints`: the writer's in-memory index of track fingerprints, for copied tracks.
//! - `flags`: raising and withdrawing flags with the place and week they concern.
//! - `zero_report`: a zero report contradicted by a finding of the same officer and week.

mod ahead;
mod clock;
mod finding;
mod fingerprints;
mod flags;
mod history;
mod overdue;
mod patrol;
mod plausibility;
mod read_ahead;
mod recheck;
mod review;
mod zero_report;

pub use ahead::{CheckSnapshot, Prechecked, Published, next_version};
pub use fingerprints::{insert_stored as index_stored_fingerprint, load_index as load_fingerprints, recompute_missing};
pub use flags::Place;
pub use history::load_histories;
pub use read_ahead::ReadAhead;
