//! A sync reply read and checked apart from the replica, so that a page can be checked on the
//! fetcher thread while the one before it is applied: each pulled event is prepared for the replica
//! ([`Placed`]), and one that is not an event, fails its hash or was withheld by the server is set
//! aside ([`Aside`]) to be kept and shown, never folded; the rest of the reply still applies.

use serde_json::value::RawValue;
use sync_protocol::event::Event;
use sync_protocol::ids::EventId;
use sync_protocol::scope::Bucket;
use sync_protocol::wire::witness::Withheld;
use sync_protocol::wire::{BucketPage, SyncResponse};

use super::SyncError;
use crate::replica::events::Placed;
use crate::replica::{AsideEvent, ReplicaError};

/// A pulled element that failed its checks, as the server sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aside {
    pub bucket: Bucket,
    /// The event's id, when it could be read that far.
    pub id: Option<EventId>,
    pub problem: String,
    /// The element as it came (a withheld event: the server's marker).
    pub raw: String,
}

impl Aside {
    /// As the replica keeps it, received at `now`.
    pub(crate) fn kept(self, now: i64) -> AsideEvent {
        AsideEvent {
            bucket: self.bucket.to_string(),
            event_id: self.id.map(|i| i.to_string()),
            problem: self.problem,
            raw: self.raw,
            received_at: now,
        }
    }
}

/// A reply whose pulled events are checked and prepared for the replica, and what was set aside.
pub(crate) struct Checked {
    pub reply: SyncResponse<Placed>,
    pub aside: Vec<Aside>,
}

/// The reply with every pulled element read as an event, and those that do not read as one.
pub(crate) fn readable(reply: SyncResponse<Box<RawValue>>) -> (SyncResponse<Event>, Vec<Aside>) {
    let mut aside = Vec::new();
    let SyncResponse { acks, pages, purge, next_seq, hlc, witness } = reply;
    let pages = pages
        .into_iter()
        .map(|page| {
            let mut events = Vec::with_capacity(page.events.len());
            for raw in page.events {
                match serde_json::from_str::<Event>(raw.get()) {
                    Ok(e) => events.push(e),
                    Err(e) => {
                        aside.push(Aside { bucket: page.bucket.clone(), id: None, problem: e.to_string(), raw: raw.get().to_owned() })
                    }
                }
            }
            BucketPage { bucket: page.bucket, events, cursor: page.cursor, more: page.more, withheld: page.withheld }
        })
        .collect();
    (SyncResponse { acks, pages, purge, next_seq, hlc, witness }, aside)
}

/// Checks every pulled event's hash and prepares it; sets aside, with `unreadable`, each event
/// that fails its hash and each marker of an event the server withheld.
pub(crate) fn check(reply: SyncResponse<Event>, unreadable: Vec<Aside>) -> Result<Checked, SyncError> {
    let SyncResponse { acks, pages, purge, next_seq, hlc, witness } = reply;
    let mut aside = unreadable;
    let mut checked = Vec::with_capacity(pages.len());
    for page in pages {
        let mut events = Vec::with_capacity(page.events.len());
        for e in page.events {
            match e.check_hash() {
                Ok(()) => events.push(Placed::new(e)?),
                Err(problem) => {
                    let raw = serde_json::to_string(&e).map_err(ReplicaError::Json)?;
                    aside.push(Aside { bucket: page.bucket.clone(), id: Some(e.id), problem: problem.to_string(), raw });
                }
            }
        }
        for w in &page.withheld {
            aside.push(withheld(&page.bucket, w)?);
        }
        checked.push(BucketPage { bucket: page.bucket, events, cursor: page.cursor, more: page.more, withheld: page.withheld });
    }
    Ok(Checked { reply: SyncResponse { acks, pages: checked, purge, next_seq, hlc, witness }, aside })
}

/// The marker of an event the server left out of a page (it no longer matches its hash there).
fn withheld(bucket: &Bucket, w: &Withheld) -> Result<Aside, ReplicaError> {
    let problem = format!("withheld by the server (服务器已扣留): server_seq {}: {}", w.server_seq, w.problem);
    Ok(Aside { bucket: bucket.clone(), id: w.id, problem, raw: serde_json::to_string(w)? })
}
