//! Hostile input, class by class (issue 6, point 7): every payload class with the answer a real
//! server on loopback must give it, and what it may change in the store: nothing, mostly. Invalid
//! reference files, refused by `patrolsync-server reference import`, are in
//! `process/hostile_input.rs`.
//!
//! docs/security.md §8 lists the classes with their limits; each table here is the proof.
//!
//! # Layout
//! - `table`: the fixture (a demo server, an officer, an admin), the request case type, and the
//!   runner that checks each answer and that the store did not change.
//! - `requests`: request-level classes on the JSON routes (sync, login, admin) and the list routes.
//! - `events`: classes inside a sync push, answered per event and kept only as evidence.
//! - `limits`: oversize bodies refused before they are read, compression bombs.
//! - `http`: request smuggling, obs-fold, huge headers, slow clients.
//! - `edge`: issue 14's edge: content types, the default head timeout, bad chunk sizes.
//! - `blobs`: hashes and path traversal on the blob routes.

mod blobs;
mod edge;
mod events;
mod http;
mod limits;
mod requests;
mod table;
