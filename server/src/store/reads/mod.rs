//! What the store reads for its callers, written once for both engines over the SQL layer: pulls
//! of buckets after a cursor, a patrol as its page shows it, stored events that no longer match
//! their hash (left out of pages, flagged once by the writer), the evidence reads, and what the
//! reports read beside the read model.
//!
//! # Layout
//! - `pull`: a bucket's page after a cursor, a bucket's events for a fold, the office's events.
//! - `patrol_record`: a patrol with its amendments and signing keys, if the scope holds it.
//! - `withheld`: a changed stored event found while serving, and its one flag; `verified`: the
//!   rows already found good, so that one served again is checked by a digest of its row.
//! - `evidence`: whether a caller may read a blob, and the attachments whose bytes are missing;
//!   `place_scope`: a caller's scope as parameters for the tables that carry their place.
//! - `devices`: the devices reconciliation reads; `flag_list`: a scope's flags, a page at a time.
//! - `integrity`: the county's integrity check (every event re-hashed, every chain walked).

pub mod devices;
pub mod evidence;
pub mod flag_list;
pub mod integrity;
pub mod patrol_record;
pub mod place_scope;
pub mod pull;
pub mod verified;
pub mod withheld;

pub(crate) use crate::store::StoreError;
pub(crate) use crate::store::jobs::WriteCtx;
