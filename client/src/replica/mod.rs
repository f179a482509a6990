//! The phone's replica: one SQLite file holding, per officer identity, the events it holds, the
//! outbox of its own events, its bucket cursors and the projection the ledger reads.
//!
//! # Layout
//! - `db`: opening the file (WAL, `synchronous=FULL`) and migrating it.
//! - `identity`: the identities on the phone and the active one.
//! - `events`, `outbox`, `buckets`: the event log, upload states, cursors and bucket membership.
//! - `projection`, `parts`, `ledger_rows`, `rebuild`: the fold kept in parts (one stored fold per
//!   part), the ledger tables written from it, and rebuilding both from the log.
//! - `patrol_index`: every held patrol's times by officer and device, for the checks.
//! - `record`, `actions`, `office`: recording an officer's or inspector's own events, offline.
//! - `evidence`, `exif`: evidence files in the replica's blob folder, their EXIF and upload state.
//! - `server_log`: the server's log as this phone witnessed it, what it noticed, pulled events
//!   kept aside.
//! - `ledger`, `ledger_row`, `status`, `week`: what the officer reads; a patrol's ledger row is the
//!   server's definition (`sync_protocol::ledger`) with the phone's own checks beside it.

mod actions;
pub(crate) mod buckets;
pub(crate) mod checks;
pub mod clock;
pub(crate) mod db;
mod error;
pub(crate) mod events;
pub(crate) mod evidence;
mod exif;
pub mod identity;
mod ledger;
mod ledger_row;
mod ledger_rows;
mod office;
pub mod outbox;
pub(crate) mod parts;
pub(crate) mod patrol_index;
pub(crate) mod projection;
pub(crate) mod rebuild;
mod record;
pub(crate) mod server_log;
mod status;
mod week;

use std::path::Path;
use std::sync::Arc;

use rusqlite::Connection;
use sync_protocol::fold::parts::PartKey;
use sync_protocol::fold::{Case, Patrol, Projection, Tip};
use sync_protocol::ids::EventId;

pub use actions::{NewFinding, NewPatrol};
pub use checks::PatrolVerdict;
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::ReplicaError;
pub use evidence::{BlobState, Evidence, PendingBlob};
pub use exif::{Capture, read_capture};
pub use identity::{AccessToken, Identity, Transport};
pub use ledger::{Ledger, LedgerAmendment, LedgerConflict, LedgerFinding, LedgerPatrol, LedgerZeroReport};
pub use outbox::OutboxState;
pub use server_log::{AsideEvent, ServerNotice};
pub use status::{OtherIdentity, RejectedEvent, Status};

/// An open replica file. Holds one connection; open one `Replica` per thread or task.
pub struct Replica {
    pub(crate) conn: Connection,
    pub(crate) clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Replica {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replica").field("path", &self.conn.path()).finish_non_exhaustive()
    }
}

impl Replica {
    /// Opens the replica at `path`, creating and migrating it as needed.
    pub fn open(path: impl AsRef<Path>) -> Result<Replica, ReplicaError> {
        Replica::open_with_clock(path, Arc::new(SystemClock))
    }

    /// Like [`Replica::open`], reading time from `clock`.
    pub fn open_with_clock(path: impl AsRef<Path>, clock: Arc<dyn Clock>) -> Result<Replica, ReplicaError> {
        let mut conn = db::open(path.as_ref())?;
        rebuild::pending(&mut conn)?;
        Ok(Replica { conn, clock })
    }

    /// The wall clock the replica uses (Unix ms).
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// The identity of the officer using the phone, if anyone has logged in.
    pub fn active_identity(&self) -> Result<Option<Identity>, ReplicaError> {
        identity::active(&self.conn)
    }

    /// The active identity, or [`ReplicaError::NoIdentity`].
    pub fn require_active(&self) -> Result<Identity, ReplicaError> {
        self.active_identity()?.ok_or(ReplicaError::NoIdentity)
    }

    /// Every officer identity on this phone.
    pub fn identities(&self) -> Result<Vec<Identity>, ReplicaError> {
        identity::all(&self.conn)
    }

    /// The identity created when `username` first logged in here.
    pub fn identity_for(&self, username: &str) -> Result<Option<Identity>, ReplicaError> {
        identity::by_username(&self.conn, username)
    }

    /// Makes `username`'s identity the active one (no network, no token needed).
    pub fn switch_to(&mut self, username: &str) -> Result<Identity, ReplicaError> {
        let id = self.identity_for(username)?.ok_or_else(|| ReplicaError::UnknownUser(username.to_owned()))?;
        identity::set_active(&self.conn, id.device_id)?;
        Ok(id)
    }

    /// The active identity's projection: the fold of every event it holds. Reads every part; to
    /// look at one patrol, case or tip, use [`Replica::patrol`], [`Replica::case`], [`Replica::tip`].
    pub fn projection(&self) -> Result<Projection, ReplicaError> {
        projection::load(&self.conn, self.require_active()?.device_id)
    }

    /// The part of the active identity's projection that `anchor` belongs to (see
    /// `sync_protocol::fold::parts`): a projection holding only that part's entities.
    pub(crate) fn part_of(&self, anchor: &PartKey) -> Result<Projection, ReplicaError> {
        self.parts_of([anchor.clone()])
    }

    /// The parts that `anchors` belong to, merged (see [`Replica::part_of`]).
    pub(crate) fn parts_of(&self, anchors: impl IntoIterator<Item = PartKey>) -> Result<Projection, ReplicaError> {
        projection::parts_of(&self.conn, self.require_active()?.device_id, anchors)
    }

    /// Patrol `id` as the active identity's projection holds it, with its amendments and findings.
    pub fn patrol(&self, id: EventId) -> Result<Option<Patrol>, ReplicaError> {
        Ok(self.part_of(&PartKey::patrol(&id))?.patrols.remove(&id))
    }

    /// Case `id` as the active identity's projection holds it.
    pub fn case(&self, id: EventId) -> Result<Option<Case>, ReplicaError> {
        Ok(self.part_of(&PartKey::case(&id))?.cases.remove(&id))
    }

    /// Tip `id` as the active identity's projection holds it.
    pub fn tip(&self, id: EventId) -> Result<Option<Tip>, ReplicaError> {
        Ok(self.part_of(&PartKey::tip(&id))?.tips.remove(&id))
    }

    /// How many events the active identity holds (own and pulled).
    pub fn event_count(&self) -> Result<u64, ReplicaError> {
        events::count(&self.conn, self.require_active()?.device_id)
    }

    /// Where the active identity's own event `event` stands in the outbox (`None`: not its own).
    pub fn outbox_state(&self, event: EventId) -> Result<Option<OutboxState>, ReplicaError> {
        outbox::state_of(&self.conn, self.require_active()?.device_id, event)
    }

    /// The active identity's pull cursors.
    pub fn cursors(&self) -> Result<std::collections::BTreeMap<sync_protocol::scope::Bucket, u64>, ReplicaError> {
        buckets::cursors(&self.conn, self.require_active()?.device_id)
    }
}
