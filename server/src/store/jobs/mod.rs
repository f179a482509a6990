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
//! - `evidence`: an accepted attachment stored, checked and flagged; a verified blob recorded.
//!
//! The checks at ingest (`store::checks`) and the read model's rows (`store::read_model`) run on
//! this context too.

mod access;
mod admin;
mod author;
mod enrol;
mod evidence;
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
use sync_protocol::ids::{DeviceId, EventId};
use sync_protocol::wire::FlagKind;

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
    /// The kinds of the flags this job raised on each event, in the order raised: what a new
    /// patrol's kept ledger row shows of its flags (`read_model::kept`).
    pub flagged: RefCell<HashMap<EventId, Vec<FlagKind>>>,
    /// The greatest `server_seq` stored, once this job has stored an event (`events::insert_event`).
    pub last_seq: Option<i64>,
    /// A device's latest stated time (`device_clocks`), once this job has checked a patrol of it.
    pub device_latest: Option<(DeviceId, Option<i64>)>,
    /// Whether `device_latest` holds a time not yet written to `device_clocks`: written once, at
    /// the job's end ([`WriteCtx::finish`]) or before another device's is read, rather than with
    /// each patrol.
    pub device_latest_due: bool,
    /// What this job knows is filed under which entity (the read model's `report_filed`).
    pub filings: crate::store::read_model::Filings,
    /// What the patrol checks of a push read once for all its patrols, kept up to date as the job
    /// stores them.
    pub read_ahead: crate::store::checks::ReadAhead,
}

/// The writer's caches a job works on: the reference, the chain heads and the log's frontier.
pub type Caches<'a> = (&'a mut Reference, &'a mut HashMap<DeviceId, ChainHead>, &'a mut LogHead);

/// What a writer holds for its whole life and lends each job: the server's clock and identity and
/// the settings the checks run with.
pub type Fixed<'a> = (&'a Mutex<Hlc>, &'a ServerIdentity, &'a CheckConfig);

impl<'a> WriteCtx<'a> {
    /// A job's context on the writer's open transaction `conn`, in a batch started at `now_ms`:
    /// everything the job learns for itself (the device's clock, the flags raised, the numbering,
    /// what it read ahead) starts empty. Both engines' writers make each job's context here.
    pub fn new(conn: &'a dyn Sql, (reference, heads, log): Caches<'a>, (clock, server, checks): Fixed<'a>, now_ms: i64) -> Self {
        WriteCtx {
            conn,
            reference,
            heads,
            log,
            clock,
            server,
            checks,
            now_ms,
            device_clock: None,
            raised: RefCell::default(),
            flagged: RefCell::default(),
            last_seq: None,
            device_latest: None,
            device_latest_due: false,
            filings: Default::default(),
            read_ahead: Default::default(),
        }
    }
}

impl WriteCtx<'_> {
    /// Ends a job that succeeded: writes what it held back until its end (a device's latest stated
    /// time). Both writers call it after the job's own work, inside its savepoint.
    pub fn finish(&mut self) -> Result<(), StoreError> {
        self.write_device_latest()
    }
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
