//! The checks made at ingest, carried out by the writer in the event's own transaction: the pure
//! functions of `sync_protocol::checks` decide, these files store their results and flags.
//!
//! # Layout
//! - `history`: the reference data in event time, rebuilt from the stored events.
//! - `patrol`: a new patrol's geofence report and quota decision, stored and flagged.
//! - `recheck`: the patrols a zone or assignment change touches, re-checked and re-flagged.
//! - `flags`: raising and withdrawing flags with the place and week they concern.

mod flags;
mod history;
mod patrol;
mod recheck;

pub use flags::Place;
pub use history::load_zone_history;
