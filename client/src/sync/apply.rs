//! Applying a sync reply to the replica in one local transaction: acks move the outbox and record
//! the buckets of one's own events, pulled pages join the log (checked by hash; one's own event
//! coming back is a no-op), purged buckets are dropped (never one's own events, but own sent ones
//! left in no held bucket leave the fold), the server's clock is merged and the parts of the
//! projection that all this touched are brought up to date.

use rusqlite::{Connection, TransactionBehavior};
use sync_protocol::event::Event;
use sync_protocol::ids::{DeviceId, EventId};
use sync_protocol::wire::{Ack, AckStatus, RejectReason, SyncResponse};

use super::SyncError;
use crate::replica::clock::hlc_ms;
use crate::replica::events::Placed;
use crate::replica::projection::FoldMembers;
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
        let mut out = Applied { more: reply.more(), ..Applied::default() };
        out.resend_from = resend_point(&reply.acks, reply.next_seq, me.next_seq);
        // An own event enters or leaves the fold when an ack, a resend or a change of the buckets
        // held (a purge, a new bucket) moves it (`events::LEFT_OUT`); a page of pulls alone cannot.
        let held = buckets::cursors(&tx, owner)?;
        let new_bucket = reply.pages.iter().any(|p| !held.contains_key(&p.bucket));
        let may_move = !reply.acks.is_empty() || !reply.purge.is_empty() || out.resend_from.is_some() || new_bucket;
        let members = may_move.then(|| FoldMembers::left_out(&tx, owner)).transpose()?;
        if let Some(seq) = out.resend_from {
            out.resent = outbox::resend_from(&tx, owner, seq)?;
        }
        apply_acks(&tx, owner, pushed, &reply.acks, now, &mut out)?;
        let mut changed = Vec::new();
        for bucket in &reply.purge {
            let (dropped, anchors) = buckets::purge(&tx, owner, bucket)?;
            out.purged += dropped;
            changed.extend(anchors);
        }
        let mut new = Vec::new();
        for page in &reply.pages {
            for e in &page.events {
                let placed = Placed::new(e);
                if events::insert(&tx, owner, &placed, now)? {
                    new.push(placed);
                }
                buckets::add_member(&tx, owner, &page.bucket, e.id)?;
            }
            buckets::set_cursor(&tx, owner, &page.bucket, page.cursor, now)?;
        }
        out.pulled = new.len();
        if let Some(members) = members {
            changed.extend(members.changed(&tx, owner)?);
        }
        projection::update(&tx, owner, &new, &changed)?;
        identity::set_clock(&tx, owner, me.hlc.merge(reply.hlc, hlc_ms(now)))?;
        identity::synced(&tx, owner, now)?;
        tx.commit()?;
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
