//! `sync()`: DESIGN.md's round trip, repeated while the active identity has pending events that
//! the server is taking, or while a bucket has more to pull. Failures are recorded on the
//! identity (its last error) and leave the outbox as it was.

use serde::Serialize;

use super::prefetch::{self, Pulls};
use super::{Api, Applied, SyncError, request};
use crate::replica::{Replica, buckets, identity, outbox};

/// More rounds than this in one sync means the server keeps answering `more` without moving on.
const MAX_ROUNDS: u32 = 10_000;

/// What one `sync()` did, summed over its rounds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub rounds: u32,
    pub accepted: usize,
    pub duplicates: usize,
    pub rejected: usize,
    pub resent: usize,
    pub pulled: usize,
    pub purged: usize,
    /// Pulled events kept aside because they failed their checks (see `patrol-device problems`).
    pub aside: usize,
    /// Whether the server was found restored from a backup (its own events were re-sent).
    pub restored: bool,
    /// Own events still pending afterwards.
    pub pending: u64,
    /// The evidence uploaded after the events (by [`sync`]; [`sync_with`] leaves it empty).
    pub evidence: super::BlobReport,
}

impl SyncReport {
    fn add(&mut self, a: &Applied) {
        self.rounds += 1;
        self.accepted += a.accepted;
        self.duplicates += a.duplicates;
        self.rejected += a.rejected;
        self.resent += a.resent;
        self.pulled += a.pulled;
        self.purged += a.purged;
        self.aside += a.aside;
        self.restored |= a.restored;
    }
}

/// Syncs the active identity with its server.
pub async fn sync(replica: &mut Replica) -> Result<SyncReport, SyncError> {
    let me = replica.require_active()?;
    let api = Api::of(&me)?;
    let mut report = sync_with(replica, &api).await?;
    // Evidence goes up once its events are acknowledged; an interrupted upload resumes here.
    report.evidence = super::upload_blobs(replica).await?;
    Ok(report)
}

/// Syncs the active identity through `api`.
pub async fn sync_with(replica: &mut Replica, api: &Api) -> Result<SyncReport, SyncError> {
    let result = rounds(replica, api).await;
    if let Err(e) = &result
        && let Some(me) = replica.active_identity()?
    {
        identity::failed(&replica.conn, me.device_id, &error_chain(e), replica.now_ms())?;
    }
    result
}

async fn rounds(replica: &mut Replica, api: &Api) -> Result<SyncReport, SyncError> {
    let mut report = SyncReport::default();
    while report.rounds < MAX_ROUNDS {
        super::session::bearer(replica, api).await?;
        let out = request::prepare(replica)?;
        let (reply, unreadable) = api.sync(&out.token, &out.request, &out.username).await?;
        let server_next = reply.next_seq;
        let applied = replica.apply_checked(out.owner, &out.pushed, super::check::check(reply, unreadable)?)?;
        report.add(&applied);
        report.pending = outbox::pending_summary(&replica.conn, out.owner)?.0;
        let moved = applied.accepted + applied.duplicates + applied.rejected + applied.resent > 0;
        tracing::debug!(round = report.rounds, ?applied, pending = report.pending, "sync round");
        if applied.more && report.pending == 0 {
            // Nothing to push: pull the rest with the next page fetched while one is applied.
            let more = pull_ahead(replica, api, out, &mut report)?;
            if !more && report.pending == 0 {
                return Ok(report);
            }
            continue;
        }
        if applied.more {
            continue;
        }
        if report.pending == 0 {
            return Ok(report);
        }
        if !moved {
            let expected = applied.resend_from.unwrap_or(server_next);
            return Err(SyncError::Stalled { expected, pending: report.pending });
        }
    }
    Ok(report)
}

/// Pulls pages until none has more ([`prefetch::pull`]), adding each to `report`. Returns whether
/// a bucket still has more (the rounds ran out, or a resend interrupted the pulls).
fn pull_ahead(replica: &mut Replica, api: &Api, out: request::Outgoing, report: &mut SyncReport) -> Result<bool, SyncError> {
    let from = Pulls {
        owner: out.owner,
        cursors: buckets::cursors(&replica.conn, out.owner)?,
        hlc: replica.require_active()?.hlc,
        username: out.username,
        token: out.token,
    };
    let mut more = true;
    prefetch::pull(replica, api, from, |applied| {
        report.add(applied);
        more = applied.more;
        report.rounds < MAX_ROUNDS
    })?;
    report.pending = outbox::pending_summary(&replica.conn, out.owner)?.0;
    Ok(more)
}

/// The error and its causes on one line, for the status screen.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}
