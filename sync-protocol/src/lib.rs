//! The patrolsync protocol: everything device and server must agree on, as pure functions.
//! No IO, no clock, no randomness: the caller passes time and key material in.
//!
//! # Layout
//! - [`ids`]: newtypes for event, device, user, unit, zone and licence ids.
//! - [`values`]: validated values: fixed-point coordinates, track points, polygons, ISO weeks.
//! - [`track`]: the delta-encoded wire form of a patrol track.
//! - [`gcj02`]: reference systems positions come in, and GCJ-02 converted to WGS 84 at the edge.
//! - [`hlc`]: the hybrid logical clock that orders events.
//! - [`canonical`]: the canonical JSON encoding hashes are taken over.
//! - [`strict_json`]: JSON read with one reading per text (no repeated or reserved keys).
//! - [`crypto`]: hashes, signatures and keys in their wire form.
//! - [`event`]: the event envelope; sealing and checking its hash and signature.
//! - [`body`]: typed, versioned event bodies, one per kind, every kind declared once in its table.
//! - [`fold`]: the projection: current state as a fold of events.
//! - [`merkle`]: the tamper-evident central log: tree hash, proofs, signed checkpoints.
//! - [`scope`]: buckets, routing of events to buckets, and who may pull which.
//! - [`admit`]: the ingest decision for one pushed event.
//! - [`ledger`]: the patrol ledger's row, columns and headings, shared by server and phone.
//! - [`read_model`]: the rows the server's reports read, and how each event changes them.
//! - [`compliance`]: weekly compliance per officer, township and county; report rate and times.
//! - [`checks`]: checks made at ingest and on the device: geofence in event time, valid patrol,
//!   plausibility flags, licence checks.
//! - [`wire`]: request and reply bodies of the HTTP API.
//! - [`zones`]: which version of a zone holds at a time (its boundary, village and township).
//! - [`error`]: the crate's one error type.

pub mod admit;
pub mod body;
pub mod canonical;
pub mod checks;
pub mod compliance;
pub mod crypto;
pub mod error;
pub mod event;
pub mod fold;
pub mod gcj02;
pub mod hlc;
pub mod ids;
pub mod ledger;
pub mod merkle;
pub mod read_model;
pub mod scope;
pub mod strict_json;
pub mod track;
pub mod values;
pub mod wire;
pub mod zones;

pub use error::ValidationError;
