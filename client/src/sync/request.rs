//! Building one sync request for the active identity: its pending events in seq order (at most
//! `wire::MAX_PUSH_EVENTS`, and within the server's body limit), its cursors and its clock.

use serde_json::value::RawValue;
use sync_protocol::ids::{DeviceId, EventId};
use sync_protocol::wire::{MAX_BODY_BYTES, MAX_PUSH_EVENTS, SyncRequest};

use super::SyncError;
use crate::replica::clock::hlc_ms;
use crate::replica::{Identity, Replica, buckets, outbox, server_log};

/// Room left in a request for the cursors and the envelope around the events.
const PUSH_BYTE_BUDGET: usize = MAX_BODY_BYTES - 64 * 1024;

/// A request ready to send, and what is needed to apply its reply.
#[derive(Debug)]
pub(crate) struct Outgoing {
    pub owner: DeviceId,
    pub username: String,
    pub token: String,
    pub request: SyncRequest,
    /// The ids of the pushed events, in push order (acks come back in the same order).
    pub pushed: Vec<EventId>,
}

/// The identity's access token if it is still valid at `now`; `NeedsLogin` otherwise.
pub(crate) fn bearer(me: &Identity, now: i64) -> Result<String, SyncError> {
    match &me.token {
        Some(t) if t.expires_at > now => Ok(t.secret.clone()),
        Some(_) => Err(SyncError::NeedsLogin { username: me.username.clone(), why: "the access token has expired".into() }),
        None => Err(SyncError::NeedsLogin { username: me.username.clone(), why: "there is no access token".into() }),
    }
}

/// Prepares the next request of the active identity. Fails with `NeedsLogin`, touching nothing,
/// when there is no token or it has expired.
pub(crate) fn prepare(replica: &mut Replica) -> Result<Outgoing, SyncError> {
    let me = replica.require_active()?;
    let now = replica.now_ms();
    let token = bearer(&me, now)?;
    let mut pending = outbox::pending(&replica.conn, me.device_id, MAX_PUSH_EVENTS)?;
    let mut bytes = 0;
    let fits = pending.iter().take_while(|p| {
        bytes += p.raw.len() + 1;
        bytes <= PUSH_BYTE_BUDGET
    });
    let keep = fits.count().max(1).min(pending.len());
    pending.truncate(keep);
    let seqs: Vec<u64> = pending.iter().map(|p| p.seq).collect();
    outbox::attempted(&replica.conn, me.device_id, &seqs, now)?;
    let pushed = pending.iter().map(|p| p.id).collect();
    let events = pending.into_iter().map(|p| RawValue::from_string(p.raw)).collect::<Result<_, _>>().map_err(crate::ReplicaError::Json)?;
    let request = SyncRequest {
        events,
        cursors: buckets::cursors(&replica.conn, me.device_id)?,
        // The server's default page: most syncs end in one round; a longer pull goes on with the
        // next page fetched while one is applied (`prefetch.rs`), in pages of `MAX_PULL_LIMIT`.
        limit: None,
        hlc: me.hlc.tick(hlc_ms(now)),
        // Every round asks for the log's latest checkpoint and checks it extends the one held
        // (pages pulled ahead within the same sync do not: the round before them checked it).
        witness: Some(server_log::held_ask(&replica.conn, me.device_id)?),
    };
    Ok(Outgoing { owner: me.device_id, username: me.username, token, request, pushed })
}
