//! The blob API end to end, on the application in-process: resumable uploads cut off by a dropped
//! connection, verification before visibility, storage once, the access rule, hostile inputs, and
//! the missing-evidence listing. A server killed during an upload is in
//! `process/evidence_blobs.rs`; the fixtures are in `patrolsync_tests::evidence`.
//!
//! # Layout
//! - `uploads`: resuming, verifying, storing once, listing what is missing.
//! - `access`: who gets which answer, and what knowing a hash gives.
//! - `limits`: hostile hashes, sizes and bodies.

mod access;
mod limits;
mod uploads;
