//! What the store reads for its callers, written once for both engines over the SQL layer: pulls
//! of buckets after a cursor, a patrol as its page shows it, and stored events that no longer
//! match their hash (left out of pages, flagged once by the writer).
//!
//! # Layout
//! - `pull`: a bucket's page after a cursor, a bucket's events for a fold, the office's events.
//! - `patrol_record`: a patrol with its amendments and signing keys, if the scope holds it.
//! - `withheld`: a changed stored event found while serving, and its one flag.

pub mod patrol_record;
pub mod pull;
pub mod withheld;

pub(crate) use crate::store::StoreError;
pub(crate) use crate::store::jobs::WriteCtx;
