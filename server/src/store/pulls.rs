//! Reading buckets ([`Pulls`]): the accepted events routed to a bucket, in server-sequence order
//! after a cursor, leaving out what the reader may not or need not read.

use serde_json::value::RawValue;
use std::collections::BTreeSet;
use sync_protocol::body::Role;
use sync_protocol::event::Event;
use sync_protocol::ids::{DeviceId, EventId};
use sync_protocol::scope::Bucket;
use sync_protocol::wire::BucketPage;
use sync_protocol::wire::patrol::PatrolRecord;

use super::StoreFuture;

/// Who reads: the calling device (whose own events are left out), and whether its role may read
/// confidential records (a tip's informant, `sync_protocol::scope::may_read_confidential`).
#[derive(Debug, Clone, Copy)]
pub struct Reader {
    pub device: Option<DeviceId>,
    pub confidential: bool,
}

impl Reader {
    /// Everything a role may read, for no device in particular.
    pub fn role(role: Role) -> Reader {
        Reader { device: None, confidential: sync_protocol::scope::may_read_confidential(role) }
    }
}

pub trait Pulls: Send + Sync {
    /// A page of each bucket after its cursor, in the order given, `limit` events in all. The
    /// cursor of a page moves past what is left out too.
    fn pages(&self, cursors: Vec<(Bucket, u64)>, limit: u32, reader: Reader) -> StoreFuture<'_, Vec<BucketPage<Box<RawValue>>>>;

    /// Every accepted event of `buckets` that `reader` may read, for folding a projection.
    fn events(&self, buckets: Vec<Bucket>, reader: Reader) -> StoreFuture<'_, Vec<Event>>;

    /// Like [`Pulls::events`], without the events recorded in the field (patrols, findings, zero
    /// reports, attachments): reference data and the office's records.
    fn office_events(&self, buckets: Vec<Bucket>, reader: Reader) -> StoreFuture<'_, Vec<Event>>;

    /// The accepted `patrol.recorded` event `id` (its track) with its amendments and the keys
    /// that signed them, if it is in one of `scope`'s buckets; `None` for a patrol outside the
    /// scope as for one that does not exist.
    fn patrol(&self, scope: BTreeSet<Bucket>, id: EventId) -> StoreFuture<'_, Option<PatrolRecord>>;
}
