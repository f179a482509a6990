//! Applying a sync reply to the replica in one local transaction: first the server's log is
//! checked against the one witnessed (a log that does not extend it refuses the whole reply; a new
//! epoch, a restore, lowers the cursors and has the server's copy of one's own evidence checked again),
//! then acks move the outbox and record the buckets of one's
//! own events, pulled pages join the log (one's own event coming back is a no-op; events set aside
//! by the checks are kept apart, never folded), purged buckets are dropped (never one's own events,
//! but own sent ones left in no held bucket leave the fold), the server's clock is merged and the
//! parts of the projection that all this touched are brought up to date.

use rusqlite::{Connection, TransactionBehavior};
use sync_protocol::event::Event;
use sync_protocol::ids::{DeviceId, EventId};
use sync_protocol::merkle::witness;
use sync_protocol::wire::witness::WitnessReply;
use sync_protocol::wire::{Ack, AckStatus, BucketPage, RejectReason, SyncResponse};

use super::SyncError;
use super::check::{Checked, Received, check};
use crate::replica::clock::hlc_ms;
use crate::replica::events::Placed;
use crate::replica::projection::FoldMembers;
use crate::replica::{Replica, ReplicaError, buckets, db, events, evidence, identity, outbox, projection, server_log};

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
        let mut pages = Vec::with_capacity(reply.pages.len());
        for p in &reply.pages {
            pages.push(BucketPage {
                bucket: p.bucket.clone(),
                events: p.events.iter().map(|e| Received::of(e.clone())).collect::<Result<_, _>>()?,
                cursor: p.cursor,
                more: p.more,
                withheld: p.withheld.clone(),
            });
        }
        let owned = SyncResponse {
            acks: reply.acks.clone(),
            pages,
            purge: reply.purge.clone(),
            next_seq: reply.next_seq,
            hlc: reply.hlc,
            witness: reply.witness.clone(),
        };
        self.apply_checked(owner, pushed, check(owned, Vec::new())?)
    }

    /// [`Replica::apply_reply`] for a reply already checked.
    ///
    /// A reply with acks is on disk when this returns: an event marked sent is never pushed again.
    /// A reply of pulls alone does not wait for the disk: a power cut may undo it, leaving the
    /// replica as it was before (cursors included), and the next sync pulls the same pages again.
    pub(crate) fn apply_checked(&mut self, owner: DeviceId, pushed: &[EventId], checked: Checked) -> Result<Applied, SyncError> {
        let wait = !checked.reply.acks.is_empty();
        if !wait {
            db::wait_for_disk(&self.conn, false)?;
        }
        let applied = self.apply_in_transaction(owner, pushed, checked);
        if !wait {
            db::wait_for_disk(&self.conn, true)?;
        }
        applied
    }

    fn apply_in_transaction(&mut self, owner: DeviceId, pushed: &[EventId], checked: Checked) -> Result<Applied, SyncError> {
        let Checked { reply, aside } = checked;
        let now = self.now_ms();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let me = identity::by_device(&tx, owner)?.ok_or(ReplicaError::NoIdentity)?;
        let restored_after = match reply.witness.as_ref().map(|w| witness_step(&tx, owner, w, now)).transpose() {
            Ok(since) => since.flatten(),
            Err(e) => {
                // Nothing of the reply is applied; what the witness saw is kept.
                drop(tx);
                server_log::notice(&self.conn, owner, "log_refused", &e.to_string(), now)?;
                return Err(e);
            }
        };
        let restored = restored_after.is_some();
        let mut out = Applied { more: reply.more() || restored, restored, aside: aside.len(), ..Applied::default() };
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
        let mut new = insert_pages(&tx, owner, reply.pages, restored_after, now)?;
        if let Some(since) = restored_after {
            buckets::lower_cursors(&tx, owner, since, now)?;
            evidence::recheck_own_blobs(&tx, owner)?;
        }
        for event in aside {
            server_log::put_aside(&tx, owner, &event.kept(now))?;
        }
        out.pulled = new.len();
        if let Some(members) = members {
            changed.extend(members.changed(&tx, owner)?);
        }
        projection::update(&tx, owner, &mut new, &changed)?;
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

/// Inserts the pulled pages' events (one already held is a no-op) with their bucket memberships,
/// and sets each page's cursor (after a restore, at most where the restored store began: the pages
/// were read from cursors the server may be behind). Returns the events new to the log.
fn insert_pages(
    conn: &Connection,
    owner: DeviceId,
    pages: Vec<BucketPage<Placed>>,
    restored_after: Option<u64>,
    now: i64,
) -> Result<Vec<Placed>, ReplicaError> {
    let mut new = Vec::new();
    for page in pages {
        for placed in page.events {
            let is_new = events::insert(conn, owner, &placed, now)?;
            buckets::add_member(conn, owner, &page.bucket, placed.event.id)?;
            if is_new {
                new.push(placed);
            }
        }
        let cursor = restored_after.map_or(page.cursor, |since| page.cursor.min(since));
        buckets::set_cursor(conn, owner, &page.bucket, cursor, now)?;
    }
    Ok(new)
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
