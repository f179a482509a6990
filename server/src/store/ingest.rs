//! Storing what devices push ([`Ingest`]): the writer decides each prepared event with the pure
//! `admit` and stores, routes, quarantines and flags it in one transaction; an ack reaches the
//! caller only once that transaction is committed.

use std::sync::Arc;
use sync_protocol::admit::{Caller, Checked};
use sync_protocol::event::Event;
use sync_protocol::hlc::Hlc;
use sync_protocol::ids::{DeviceId, EventId};
use sync_protocol::wire::Ack;

use super::{CheckSnapshot, Prechecked, StoreFuture};

/// A device clock further ahead of the server than this is not merged into the server's clock
/// (whether it is flagged is `sync_protocol::checks::clock`'s rule).
pub const MAX_CLOCK_AHEAD_MS: u64 = 5 * 60 * 1000;

/// One pushed event, prepared for the writer (`service::ingest::prepare`).
#[derive(Debug)]
pub enum Pushed {
    /// Not an event envelope; `id` and `seq` if they could be read.
    Malformed { id: Option<EventId>, seq: Option<u64>, raw: String, problem: String },
    /// An envelope with the results of its checks; `raw` is its compact JSON; `ahead` the checks
    /// at ingest computed on the snapshot, for an authentic event of a kind that has them.
    Parsed { event: Box<Event>, raw: String, checked: Box<Checked>, ahead: Option<Box<Prechecked>> },
}

pub trait Ingest: Send + Sync {
    /// The reference data the checks read, as the writer last published it: for computing the
    /// checks ahead of the writer, which takes their results only if that is still its reference.
    fn check_snapshot(&self) -> Arc<CheckSnapshot>;

    /// Decides and stores one push of `caller`, sent when the device's clock read `stated` (the
    /// request's `hlc`, which the clock rules judge its events by), in order; returns an ack per
    /// event and the seq the server expects next from the device.
    fn ingest(&self, caller: Caller, pushed: Vec<Pushed>, stated: Hlc) -> StoreFuture<'_, (Vec<Ack>, u64)>;

    /// Notes a sync that pushed nothing: the device took part in a sync now.
    fn note_pull(&self, device: DeviceId) -> StoreFuture<'_, ()>;

    /// Raises, rewrites or withdraws every case's `case_overdue` flag as of now; returns how many
    /// cases are overdue.
    fn settle_overdue_cases(&self) -> StoreFuture<'_, usize>;
}
