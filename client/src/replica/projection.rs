//! The projection of one identity, kept in parts (`sync_protocol::fold::parts`): one stored fold
//! per part, and the ledger rows written from it. New events are applied on top of their part
//! when they sort after its last event; otherwise that part alone is folded again. Whatever the
//! arrival order, the parts merge into exactly `Projection::fold` of the events the identity folds.
//!
//! What is folded: every pulled event, and the identity's own events that are pending or sent;
//! never its own rejected ones (the server does not store them as data, so the server's fold of
//! the same scope has none of them), nor its own sent ones whose buckets (as their acks listed
//! them) are all out of scope, e.g. after a reassignment purged the old village (see
//! `events::LEFT_OUT`). When an own event enters or leaves either state, or a purge drops
//! events, the parts they belong to are folded again.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::Connection;
use sync_protocol::event::Event;
use sync_protocol::fold::Projection;
use sync_protocol::fold::parts::{FoldedPart, PartKey};
use sync_protocol::ids::{DeviceId, EventId};

use super::events::{Fold, Placed};
use super::{ReplicaError, events, ledger_rows, parts};

/// The whole projection of `owner`: every part, merged.
pub(crate) fn load(conn: &Connection, owner: DeviceId) -> Result<Projection, ReplicaError> {
    parts::load_all(conn, owner)
}

/// The folds of the parts `anchors` belong to, merged: a projection holding those parts'
/// entities only, e.g. a patrol with its findings, or an officer's assignments.
pub(crate) fn parts_of(conn: &Connection, owner: DeviceId, anchors: impl IntoIterator<Item = PartKey>) -> Result<Projection, ReplicaError> {
    let mut keys = BTreeSet::new();
    for anchor in anchors {
        keys.insert(parts::resolve(conn, owner, &anchor)?);
    }
    let mut folded = Vec::new();
    for key in keys {
        folded.extend(parts::load(conn, owner, &key)?);
    }
    Ok(Projection::from_parts(folded))
}

/// Brings the parts of `owner` up to date with `new` events, just inserted into the log, and with
/// the events whose anchors are in `changed` (dropped, or entering or leaving the fold). Call
/// inside the transaction that made those changes.
pub(crate) fn update(conn: &Connection, owner: DeviceId, new: &mut [Placed], changed: &[PartKey]) -> Result<(), ReplicaError> {
    let mut refold = BTreeSet::new();
    // Joins first, so that the events they move are folded in their new part.
    for placed in new.iter() {
        if let Some((anchor, part)) = &placed.placement.joins
            && parts::join(conn, owner, anchor, part)?
        {
            drop_part(conn, owner, anchor)?;
            refold.insert(part.clone());
        }
    }
    for anchor in changed {
        refold.insert(parts::resolve(conn, owner, anchor)?);
    }
    // What the fold needs of each event moves into it; a part folded again parses its events anew.
    let mut appended: BTreeMap<PartKey, Vec<(&Event, Fold)>> = BTreeMap::new();
    for placed in new.iter_mut() {
        let part = parts::resolve(conn, owner, &placed.placement.anchor)?;
        if !refold.contains(&part) {
            appended.entry(part).or_default().push((&placed.event, std::mem::replace(&mut placed.fold, Fold::Body(None))));
        }
    }
    for (part, mut events) in appended {
        events.sort_by_key(|(e, _)| e.fold_key());
        if !append(conn, owner, &part, events)? {
            tracing::debug!(part = %part, "an event sorts before the part's last one: folding the part again");
            refold.insert(part);
        }
    }
    for part in &refold {
        refold_part(conn, owner, part)?;
    }
    Ok(())
}

/// Applies `events` (in fold order) on top of `part` if the first sorts after its last event.
/// Returns whether it did.
fn append(conn: &Connection, owner: DeviceId, part: &PartKey, mut events: Vec<(&Event, Fold)>) -> Result<bool, ReplicaError> {
    let old = parts::load(conn, owner, part)?;
    if old.is_none() && events.len() == 1 && matches!(events[0].1, Fold::Alone(_)) {
        if let Some((_, Fold::Alone(alone))) = events.pop() {
            let (folded, encoded) = *alone;
            ledger_rows::replace(conn, owner, None, Some(&folded.projection))?;
            parts::write(conn, owner, part, &encoded)?;
        }
        return Ok(true);
    }
    let mut folded = old.clone().unwrap_or_default();
    if events.first().is_some_and(|(e, _)| !folded.appends(e)) {
        return Ok(false);
    }
    for (e, fold) in events {
        match fold {
            Fold::Body(body) => folded.apply_parsed(e, body),
            Fold::Alone(_) => folded.apply(e),
        }
    }
    ledger_rows::replace(conn, owner, old.as_ref().map(|p| &p.projection), Some(&folded.projection))?;
    parts::store(conn, owner, part, &folded)?;
    Ok(true)
}

/// Folds `part` again from the events `owner` folds in it.
fn refold_part(conn: &Connection, owner: DeviceId, part: &PartKey) -> Result<(), ReplicaError> {
    let old = parts::load(conn, owner, part)?;
    let events = parts::events_of(conn, owner, part)?;
    let folded = FoldedPart::fold(&events);
    let new = (!folded.is_empty()).then_some(&folded.projection);
    ledger_rows::replace(conn, owner, old.as_ref().map(|p| &p.projection), new)?;
    parts::store(conn, owner, part, &folded)
}

/// Forgets the stored fold of `part` and its ledger rows (its events now fold elsewhere).
fn drop_part(conn: &Connection, owner: DeviceId, part: &PartKey) -> Result<(), ReplicaError> {
    if let Some(old) = parts::load(conn, owner, part)? {
        ledger_rows::replace(conn, owner, Some(&old.projection), None)?;
        parts::delete(conn, owner, part)?;
    }
    Ok(())
}

/// What leaves or enters the fold when an own event's outbox state changes: call
/// [`FoldMembers::changed`] after the change, with the set taken before it.
pub(crate) struct FoldMembers(BTreeSet<EventId>);

impl FoldMembers {
    /// The own events left out of the fold now.
    pub(crate) fn left_out(conn: &Connection, owner: DeviceId) -> Result<FoldMembers, ReplicaError> {
        Ok(FoldMembers(events::left_out(conn, owner)?))
    }

    /// The anchors of the own events that entered or left the fold since `self` was taken.
    pub(crate) fn changed(&self, conn: &Connection, owner: DeviceId) -> Result<Vec<PartKey>, ReplicaError> {
        let now = events::left_out(conn, owner)?;
        let moved = self.0.symmetric_difference(&now).copied();
        events::anchors_of(conn, owner, moved)
    }
}
