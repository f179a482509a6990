//! A sync reply read and checked apart from the replica, so that a page can be checked on the
//! fetcher thread while the one before it is applied: each pulled event is prepared for the replica
//! ([`Placed`]), and one that is not an event, fails its hash or was withheld by the server is set
//! aside ([`Aside`]) to be kept and shown, never folded; the rest of the reply still applies.

use serde::{Deserialize, Deserializer};
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

/// A pulled event with its JSON as the server sent it: the replica stores that text as it came
/// (it reads as the same event) rather than writing the event out again.
#[derive(Debug)]
pub struct Received {
    pub event: Event,
    pub raw: String,
}

impl Received {
    /// An event held already as a value: its JSON written out.
    pub(crate) fn of(event: Event) -> Result<Received, ReplicaError> {
        Ok(Received { raw: serde_json::to_string(&event)?, event })
    }
}

impl<'de> Deserialize<'de> for Received {
    /// Reads the element's text once as it is, then as an event (strictly, as `Event` reads).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Received, D::Error> {
        let raw = <&RawValue>::deserialize(d)?;
        let event = serde_json::from_str(raw.get()).map_err(serde::de::Error::custom)?;
        Ok(Received { event, raw: raw.get().to_owned() })
    }
}

/// A reply whose pulled events are checked and prepared for the replica, and what was set aside.
pub(crate) struct Checked {
    pub reply: SyncResponse<Placed>,
    pub aside: Vec<Aside>,
}

/// The reply with every pulled element read as an event, and those that do not read as one.
pub(crate) fn readable(reply: SyncResponse<Box<RawValue>>) -> (SyncResponse<Received>, Vec<Aside>) {
    let mut aside = Vec::new();
    let SyncResponse { acks, pages, purge, next_seq, hlc, witness } = reply;
    let pages = pages
        .into_iter()
        .map(|page| {
            let mut events = Vec::with_capacity(page.events.len());
            for raw in page.events {
                match serde_json::from_str::<Event>(raw.get()) {
                    Ok(event) => events.push(Received { event, raw: raw.get().to_owned() }),
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
pub(crate) fn check(reply: SyncResponse<Received>, unreadable: Vec<Aside>) -> Result<Checked, SyncError> {
    let SyncResponse { acks, pages, purge, next_seq, hlc, witness } = reply;
    let mut aside = unreadable;
    let mut checked = Vec::with_capacity(pages.len());
    for page in pages {
        let mut events = Vec::with_capacity(page.events.len());
        for Received { event, raw } in page.events {
            match event.check_hash() {
                Ok(()) => events.push(Placed::with_raw(event, raw)?),
                Err(problem) => aside.push(Aside { bucket: page.bucket.clone(), id: Some(event.id), problem: problem.to_string(), raw }),
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

#[cfg(test)]
mod tests {
    use sync_protocol::wire::SyncResponse;

    use super::{Received, check};
    use crate::tests::fixture::{Chain, T0};

    /// A pulled event is stored as the server wrote it, white space and member order included,
    /// and reads as the event it is; an element that is not an event fails the reading at once.
    #[test]
    fn a_pulled_event_keeps_the_servers_text() {
        let event = Chain::new("vo-t01-v02", T0).patrol("walk");
        let mut members: Vec<(String, serde_json::Value)> =
            serde_json::to_value(&event).expect("json").as_object().expect("object").clone().into_iter().collect();
        members.reverse();
        let text = format!("{{ {} }}", members.iter().map(|(k, v)| format!("\"{k}\" : {v}")).collect::<Vec<_>>().join(" ,\n "));
        let reply = format!(
            r#"{{"acks":[],"pages":[{{"bucket":"county","events":[{text}],"cursor":1,"more":false}}],"next_seq":1,"hlc":"{}"}}"#,
            event.hlc
        );
        let read: SyncResponse<Received> = serde_json::from_str(&reply).expect("reply");
        let checked = check(read, Vec::new()).expect("checked");
        let placed = &checked.reply.pages[0].events[0];
        assert_eq!((placed.raw.as_str(), &placed.event), (text.as_str(), &event));
        let broken = reply.replace("\"kind\"", "\"kinds\"");
        assert!(serde_json::from_str::<SyncResponse<Received>>(&broken).is_err());
    }
}
