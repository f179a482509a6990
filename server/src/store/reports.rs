//! What the reports read beside the fold of the log ([`Reports`]): the checks' stored answers,
//! when devices last synced, the flags of a scope. A read model that the writer keeps current in
//! the transaction that accepts each event belongs behind this trait.

use std::collections::{BTreeMap, BTreeSet};
use sync_protocol::checks::licence::LicenceVerdict;
use sync_protocol::compliance::DecisionTable;
use sync_protocol::ids::EventId;
use sync_protocol::scope::Bucket;
use sync_protocol::wire::FlagKind;
use sync_protocol::wire::flags::{FlagList, FlagQuery};
pub use sync_protocol::wire::reports::DeviceSync;

use super::StoreFuture;

/// What the ledger needs from the store beside the fold.
#[derive(Debug, Default)]
pub struct LedgerFacts {
    /// Per patrol: counts toward the quota, and why.
    pub checks: BTreeMap<EventId, (bool, String)>,
    /// Per finding: the licence verdict.
    pub verdicts: BTreeMap<EventId, LicenceVerdict>,
    /// Per event: its hash, hex (for findings; patrols carry theirs in the fold).
    pub hashes: BTreeMap<EventId, String>,
    /// Per event: the kinds of the flags on it not withdrawn, in the order raised.
    pub flags: BTreeMap<EventId, Vec<FlagKind>>,
}

pub trait Reports: Send + Sync {
    /// Every stored quota decision, and the flags not withdrawn, counted per officer and week.
    fn decisions(&self) -> StoreFuture<'_, DecisionTable>;

    /// Each patrol's quota decision and explanation, each finding's licence verdict and hash, and
    /// the open flags per event.
    fn ledger_facts(&self) -> StoreFuture<'_, LedgerFacts>;

    /// Every device not revoked of an enabled village officer or township inspector, by device id.
    fn device_syncs(&self) -> StoreFuture<'_, Vec<DeviceSync>>;

    /// The newest flags in `scope` matching `query`, newest first.
    fn flags(&self, scope: BTreeSet<Bucket>, query: FlagQuery) -> StoreFuture<'_, FlagList>;
}
