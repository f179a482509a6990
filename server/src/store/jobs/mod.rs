//! What runs inside either engine's single writer, written once for both: the writer's context
//! ([`WriteCtx`]: the open transaction as SQL, the writer's caches) and the jobs over it.
//!
//! # Layout
//! - `ingest`: the writer's side of a push (admit, store, route, quarantine, flag).
//! - `author`: reference events authored by the server; `admin`: assignments, users disabled and
//!   devices revoked; `people`: users enrolled and changed, passwords, the access log; `enrol`:
//!   devices bound to users at login; `sessions`: sessions and refresh tokens.
//! - `log`: a stored row's leaf appended to the writer's frontier of the tamper-evident log.
//! - `stored_reference`: the reference events in commit order, which imports plan against.
//! - `access`: disabled users and revoked devices, as their events say.
//! - `reference`: the writer's copy of units, zones, assignments and histories; `office`: the
//!   stored cases and tips that admission and routing consult; `tips`: each tip's township, kept
//!   as tips arrive and move, and read for an inspector's scope.
//!
//! The checks at ingest, attachments and the read model's rows are jobs too, still in
//! `store/sqlite/` (`checks`, `evidence`, `read_model`) though they run on this context.

mod access;
mod admin;
mod author;
mod enrol;
mod ingest;
mod log;
pub mod office;
pub mod people;
pub mod reference;
pub mod sessions;
pub mod stored_reference;
pub mod tips;

pub(crate) use crate::store::{Conflict, Entity, StoreError};

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use sync_protocol::admit::ChainHead;
use sync_protocol::checks::clock::DeviceClock;
use sync_protocol::checks::recheck::CheckConfig;
use sync_protocol::hlc::Hlc;
use sync_protocol::ids::DeviceId;

use crate::store::identity::ServerIdentity;
use crate::store::log::LogHead;
use crate::store::sql::Sql;
use reference::Reference;

/// What a job may touch: the open transaction (inside the job's savepoint) and the writer's
/// caches, exact because only the writer writes.
pub struct WriteCtx<'a> {
    /// The writer's open transaction, on either engine.
    pub conn: &'a dyn Sql,
    pub reference: &'a mut Reference,
    pub heads: &'a mut HashMap<DeviceId, ChainHead>,
    /// The frontier of the tamper-evident log, to append leaves in O(log n).
    pub log: &'a mut LogHead,
    pub clock: &'a Mutex<Hlc>,
    pub server: &'a ServerIdentity,
    /// The settings the checks at ingest run with.
    pub checks: &'a CheckConfig,
    /// Wall clock at the start of the batch, Unix milliseconds.
    pub now_ms: i64,
    /// The pushing device's clock while a push is ingested (`checks::clock`), else `None`.
    pub device_clock: Option<DeviceClock>,
    /// The flags this job raised, by kind: counted once the batch is committed.
    pub raised: RefCell<BTreeMap<String, u64>>,
    /// The greatest `server_seq` stored, once this job has stored an event (`events::insert_event`).
    pub last_seq: Option<i64>,
    /// A device's latest stated time (`device_clocks`), once this job has checked a patrol of it.
    pub device_latest: Option<(DeviceId, Option<i64>)>,
    /// What this job knows is filed under which entity (the read model's `report_filed`).
    pub filings: crate::store::read_model::Filings,
}

/// Ticks the server's clock `hlc` at the wall time `now_ms`: for replies.
pub fn tick(hlc: &Mutex<Hlc>, now_ms: i64) -> Hlc {
    let now = u64::try_from(now_ms).unwrap_or(0);
    match hlc.lock() {
        Ok(mut hlc) => {
            *hlc = hlc.tick(now);
            *hlc
        }
        Err(_) => Hlc::new(now, 0),
    }
}
