//! Applying a sync reply to the replica in one local transaction: the server's log is checked
//! against the one witnessed (a log that does not extend it refuses the whole reply; a new epoch,
//! a restore, lowers the cursors), acks move the outbox and record the buckets of one's own events,
//! pulled pages join the log (an event that fails its hash is kept aside, the rest applied; one's
//! own event coming back is a no-op), purged buckets are dropped (never one's own events, but own
//! sent ones left in no held bucket leave the fold), the server's clock is merged and the
//! projection updated.

use rusqlite::{Connection, TransactionBehavior};
use serde_json::value::RawValue;
use std::collections::BTreeSet;
use sync_protocol::event::Event;
use sync_protocol::ids::{DeviceId, EventId};
use sync_protocol::merkle::witness;
use sync_protocol::scope::Bucket;
use sync_protocol::wire::witness::WitnessReply;
use sync_protocol::wire::{Ack, AckStatus, BucketPage, RejectReason, SyncResponse};

use super::SyncError;
use crate::replica::clock::hlc_ms;
use crate::replica::{AsideEvent, Replica, ReplicaError, buckets, events, identity, outbox, projection, server_log};

/// What one reply changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    pub accepted: usize,
    pub duplicates: usize,
    pub rejected: usize,
    /// The seq the server asked to resend from, if it did.
    pub resend_from: Option<u64>,
    /// Own events moved back to pending for a resend.
    pub resent: usize,
    /// Pulled events new to this replica.
    pub pulled: usize,
    /// Events dropped with purged buckets.
    pub purged: usize,
    /// Whether some bucket has more to pull.
    pub more: bool,
    /// Pulled events that failed their checks (or that the server withheld), kept aside.
    pub aside: usize,
    /// Whether this reply showed the server was restored (a new store epoch).
    pub restored: bool,
}

impl Replica {
    /// Applies `reply` to identity `owner`. `pushed` are the ids of the events the request carried,
    /// in order. Either all of it is applied or, on error, none of it.
    pub fn apply_reply(&mut self, owner: DeviceId, pushed: &[EventId], reply: &SyncResponse<Event>) -> Result<Applied, SyncError> {
        self.apply_reply_with(owner, pushed, reply, Vec::new())
    }

    /// Like [`Replica::apply_reply`], with `unreadable`: pulled events that did not even read as
    /// events, to keep aside with the others that fail their checks.
    pub fn apply_reply_with(
        &mut self,
        owner: DeviceId,
        pushed: &[EventId],
        reply: &SyncResponse<Event>,
        unreadable: Vec<Unreadable>,
    ) -> Result<Applied, SyncError> {
        let now = self.now_ms();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let me = identity::by_device(&tx, owner)?.ok_or(ReplicaError::NoIdentity)?;
        let restored_after = match &reply.witness {
            Some(w) => match witness_step(&tx, owner, w, now) {
                Ok(since) => since,
                Err(e) => {
                    drop(tx);
                    server_log::notice(&self.conn, owner, "log_refused", &e.to_string(), now)?;
                    return Err(e);
                }
            },
            None => None,
        };
        let rejected_before = outbox::rejected_fingerprint(&tx, owner)?;
        let held_before = buckets::cursors(&tx, owner)?.into_keys().collect::<BTreeSet<_>>();
        let mut out = Applied { more: reply.more() || restored_after.is_some(), restored: restored_after.is_some(), ..Applied::default() };
        out.resend_from = resend_point(&reply.acks, reply.next_seq, me.next_seq);
        if let Some(seq) = out.resend_from {
            out.resent = outbox::resend_from(&tx, owner, seq)?;
        }
        apply_acks(&tx, owner, pushed, &reply.acks, now, &mut out)?;
        for bucket in &reply.purge {
            out.purged += buckets::purge(&tx, owner, bucket)?;
        }
        let mut new = Vec::new();
        let mut aside: Vec<AsideEvent> = unreadable.into_iter().map(|u| aside_event(&u.bucket, None, &u.problem, u.raw, now)).collect();
        for page in &reply.pages {
            for e in &page.events {
                if let Err(problem) = e.check_hash() {
                    aside.push(aside_event(
                        &page.bucket,
                        Some(e.id),
                        &problem.to_string(),
                        serde_json::to_string(e).map_err(ReplicaError::Json)?,
                        now,
                    ));
                    continue;
                }
                if events::insert(&tx, owner, e, now)? {
                    new.push(e);
                }
                buckets::add_member(&tx, owner, &page.bucket, e.id)?;
            }
            for w in &page.withheld {
                let problem = format!("withheld by the server (服务器已扣留): server_seq {}: {}", w.server_seq, w.problem);
                aside.push(aside_event(&page.bucket, w.id, &problem, serde_json::to_string(w).map_err(ReplicaError::Json)?, now));
            }
            // After a restore the pages were read from cursors the server may be behind: read again.
            let cursor = restored_after.map_or(page.cursor, |since| page.cursor.min(since));
            buckets::set_cursor(&tx, owner, &page.bucket, cursor, now)?;
        }
        if let Some(since) = restored_after {
            buckets::lower_cursors(&tx, owner, since, now)?;
        }
        for event in &aside {
            server_log::put_aside(&tx, owner, event)?;
        }
        out.aside = aside.len();
        out.pulled = new.len();
        // An own event that became rejected leaves the fold; one sent again (pending) re-enters it.
        let rejections_changed = outbox::rejected_fingerprint(&tx, owner)? != rejected_before;
        // So does an own sent event whose buckets are all out of scope (`events::LEFT_OUT`): that
        // changes when the held buckets change, or when an ack names only buckets not held.
        let held = buckets::cursors(&tx, owner)?.into_keys().collect::<BTreeSet<_>>();
        let acked_out_of_scope = !held.contains(&Bucket::County)
            && reply
                .acks
                .iter()
                .any(|a| a.status != AckStatus::Rejected && !a.buckets.is_empty() && a.buckets.iter().all(|b| !held.contains(b)));
        if out.purged > 0 || out.resent > 0 || rejections_changed || held != held_before || acked_out_of_scope {
            projection::refold(&tx, owner, now)?;
        } else {
            projection::apply(&tx, owner, &new, now)?;
        }
        identity::set_clock(&tx, owner, me.hlc.merge(reply.hlc, hlc_ms(now)))?;
        identity::synced(&tx, owner, now)?;
        tx.commit()?;
        Ok(out)
    }
}

/// A pulled element that is not an event at all: kept aside with its bucket and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub bucket: Bucket,
    pub raw: String,
    pub problem: String,
}

/// The reply with every pulled element read as an event, and those that do not read as one.
pub fn readable(reply: SyncResponse<Box<RawValue>>) -> (SyncResponse<Event>, Vec<Unreadable>) {
    let mut unreadable = Vec::new();
    let pages = reply
        .pages
        .into_iter()
        .map(|page| {
            let mut events = Vec::with_capacity(page.events.len());
            for raw in page.events {
                match serde_json::from_str::<Event>(raw.get()) {
                    Ok(e) => events.push(e),
                    Err(e) => {
                        unreadable.push(Unreadable { bucket: page.bucket.clone(), raw: raw.get().to_owned(), problem: e.to_string() })
                    }
                }
            }
            BucketPage { bucket: page.bucket, events, cursor: page.cursor, more: page.more, withheld: page.withheld }
        })
        .collect();
    let SyncResponse { acks, purge, next_seq, hlc, witness, .. } = reply;
    (SyncResponse { acks, pages, purge, next_seq, hlc, witness }, unreadable)
}

fn aside_event(bucket: &Bucket, id: Option<EventId>, problem: &str, raw: String, now: i64) -> AsideEvent {
    AsideEvent { bucket: bucket.to_string(), event_id: id.map(|i| i.to_string()), problem: problem.to_owned(), raw, received_at: now }
}

/// Checks the server's log against the one `owner` witnessed and keeps the new checkpoint. On a
/// new epoch (a restore) records it and returns the server sequence the restored store began at.
fn witness_step(conn: &Connection, owner: DeviceId, reply: &WitnessReply, now: i64) -> Result<Option<u64>, SyncError> {
    let held = server_log::held(conn, owner)?;
    let accepted = witness::check(held.as_ref(), reply).map_err(SyncError::ServerLog)?;
    server_log::save(conn, owner, &accepted, now)?;
    let Some((epoch, size)) = &accepted.new_epoch_after else { return Ok(None) };
    let detail = format!(
        "the server was restored (服务器已从备份恢复): its log went from {size} entries (epoch {epoch}) to {} (epoch {}, \
         from server sequence {}); this phone re-sends its own events the server lost and pulls again from there",
        accepted.held.frontier.size(),
        reply.epoch.id,
        reply.epoch.since_seq
    );
    server_log::notice(conn, owner, "restored", &detail, now)?;
    Ok(Some(reply.epoch.since_seq))
}

/// The lowest seq the server wants again: from acks asking for a resend, or from its `next_seq`
/// when that is behind ours (it lost events we hold as sent).
fn resend_point(acks: &[Ack], server_next: u64, our_next: u64) -> Option<u64> {
    let from_acks = acks.iter().filter(|a| a.reason.is_some_and(RejectReason::is_resend)).filter_map(|a| a.expected_seq.or(a.seq));
    let from_next = (server_next < our_next).then_some(server_next);
    from_acks.chain(from_next).min()
}

/// Moves each acked event: accepted or duplicate to sent (recording the buckets the ack lists),
/// rejected (other than "resend") to rejected with its reason. Acks come in push order; an ack
/// without an id is matched by position.
fn apply_acks(
    conn: &Connection,
    owner: DeviceId,
    pushed: &[EventId],
    acks: &[Ack],
    now: i64,
    out: &mut Applied,
) -> Result<(), ReplicaError> {
    for (i, ack) in acks.iter().enumerate() {
        let Some(id) = ack.id.or_else(|| pushed.get(i).copied()) else { continue };
        if ack.status != AckStatus::Rejected {
            for bucket in &ack.buckets {
                buckets::add_own_member(conn, owner, bucket, id)?;
            }
        }
        match (ack.status, ack.reason) {
            (AckStatus::Accepted, _) => out.accepted += usize::from(outbox::mark_sent(conn, owner, id, now)?),
            (AckStatus::Duplicate, _) => out.duplicates += usize::from(outbox::mark_sent(conn, owner, id, now)?),
            (AckStatus::Rejected, Some(reason)) if reason.is_resend() => {}
            (AckStatus::Rejected, reason) => {
                let reason = reason.unwrap_or(RejectReason::Malformed);
                let message = ack.message.as_deref().unwrap_or("");
                tracing::warn!(event = %id, reason = reason.as_str(), tampering = reason.is_tampering(), message, "event rejected");
                out.rejected += usize::from(outbox::mark_rejected(conn, owner, id, reason, message, now)?);
            }
        }
    }
    Ok(())
}
