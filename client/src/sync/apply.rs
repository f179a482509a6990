//! Applying a sync reply to the replica in one local transaction: acks move the outbox and record
//! the buckets of one's own events, pulled pages join the log (checked by hash; one's own event
//! coming back is a no-op), purged buckets are dropped (never one's own events, but own sent ones
//! left in no held bucket leave the fold), the server's clock is merged and the projection updated.

use rusqlite::{Connection, TransactionBehavior};
use std::collections::BTreeSet;
use sync_protocol::event::Event;
use sync_protocol::ids::{DeviceId, EventId};
use sync_protocol::scope::Bucket;
use sync_protocol::wire::{Ack, AckStatus, RejectReason, SyncResponse};

use super::SyncError;
use crate::replica::clock::hlc_ms;
use crate::replica::{Replica, ReplicaError, buckets, events, identity, outbox, projection};

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
}

impl Replica {
    /// Applies `reply` to identity `owner`. `pushed` are the ids of the events the request carried,
    /// in order. Either all of it is applied or, on error, none of it.
    pub fn apply_reply(&mut self, owner: DeviceId, pushed: &[EventId], reply: &SyncResponse<Event>) -> Result<Applied, SyncError> {
        for e in reply.pages.iter().flat_map(|p| &p.events) {
            e.check_hash().map_err(|source| SyncError::Integrity { id: e.id, source })?;
        }
        let now = self.now_ms();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let me = identity::by_device(&tx, owner)?.ok_or(ReplicaError::NoIdentity)?;
        let rejected_before = outbox::rejected_fingerprint(&tx, owner)?;
        let held_before = buckets::cursors(&tx, owner)?.into_keys().collect::<BTreeSet<_>>();
        let mut out = Applied { more: reply.more(), ..Applied::default() };
        out.resend_from = resend_point(&reply.acks, reply.next_seq, me.next_seq);
        if let Some(seq) = out.resend_from {
            out.resent = outbox::resend_from(&tx, owner, seq)?;
        }
        apply_acks(&tx, owner, pushed, &reply.acks, now, &mut out)?;
        for bucket in &reply.purge {
            out.purged += buckets::purge(&tx, owner, bucket)?;
        }
        let mut new = Vec::new();
        for page in &reply.pages {
            for e in &page.events {
                if events::insert(&tx, owner, e, now)? {
                    new.push(e);
                }
                buckets::add_member(&tx, owner, &page.bucket, e.id)?;
            }
            buckets::set_cursor(&tx, owner, &page.bucket, page.cursor, now)?;
        }
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
        if out.purged > 0 {
            // The bytes of evidence that left with a purged bucket leave the phone too.
            self.drop_unnamed_blobs()?;
        }
        Ok(out)
    }
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
