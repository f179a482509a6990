//! Appending one of the identity's own events: validate the body, fill the draft from the chain
//! (seq, prev, HLC), seal it with the identity's key, and commit event, outbox row, chain head and
//! the projection's part in one local transaction. Needs no network and no valid token.

use rusqlite::TransactionBehavior;
use sync_protocol::body::Body;
use sync_protocol::event::{Event, EventDraft};
use sync_protocol::ids::EventId;
use uuid::Uuid;

use super::clock::hlc_ms;
use super::events::Placed;
use super::{Replica, ReplicaError, events, identity, outbox, projection};

impl Replica {
    /// Records `body` as the active identity's next event. `what` names it in errors.
    ///
    /// The body is parsed back with `Body::parse` first, so an invalid one is refused with the
    /// protocol's own message and nothing is written.
    pub(crate) fn append_own(&mut self, what: &'static str, body: &Body) -> Result<Event, ReplicaError> {
        self.append_own_with(what, body, |_| Ok(()))
    }

    /// [`Replica::append_own`], also running `with` in the same transaction (e.g. recording the
    /// blob an attachment names), so both are written or neither.
    pub(crate) fn append_own_with(
        &mut self,
        what: &'static str,
        body: &Body,
        with: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<(), ReplicaError>,
    ) -> Result<Event, ReplicaError> {
        let value = body.to_value();
        Body::parse(body.kind(), &value).map_err(ReplicaError::invalid(what))?;
        let now = self.clock.now_ms();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let me = identity::active(&tx)?.ok_or(ReplicaError::NoIdentity)?;
        refuse_for_role(me.role, body)?;
        let draft = EventDraft {
            id: EventId(Uuid::now_v7()),
            device_id: me.device_id,
            seq: me.next_seq,
            hlc: me.hlc.tick(hlc_ms(now)),
            author: me.user.clone(),
            kind: body.kind().to_owned(),
            body: value,
            prev: me.head,
        };
        let event = draft.seal(&me.key).map_err(ReplicaError::invalid(what))?;
        let mut placed = Placed::new(event.clone())?;
        events::insert(&tx, me.device_id, &placed, now)?;
        outbox::insert_pending(&tx, me.device_id, &event, now)?;
        identity::advance(&tx, me.device_id, event.seq + 1, event.hash, event.hlc)?;
        projection::update(&tx, me.device_id, std::slice::from_mut(&mut placed), &[])?;
        with(&tx)?;
        tx.commit()?;
        tracing::info!(event = %event.id, seq = event.seq, kind = %event.kind, "recorded");
        Ok(event)
    }
}

/// A step `role` could never take is refused on the phone, in the words the server would use
/// (`sync_protocol::admit::role_refusal`), before anything is recorded.
pub(crate) fn refuse_for_role(role: sync_protocol::body::Role, body: &Body) -> Result<(), ReplicaError> {
    sync_protocol::admit::role_refusal(role, body).map_or(Ok(()), |why| Err(ReplicaError::NotForRole(why)))
}
