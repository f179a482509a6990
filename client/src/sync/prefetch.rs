//! Pulling many pages in a row (a first sync, or a phone back after weeks): while the replica
//! applies one page, a second thread fetches the next and checks it ([`check`]), so the network,
//! the server and the hash checks overlap the replica's writes. Only for pure pulls, with nothing
//! left to push: each request then depends on the cursors of the reply before it alone, which the
//! fetcher knows without the replica. Each page is still applied in its own transaction, in order.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{SyncSender, channel, sync_channel};

use sync_protocol::hlc::Hlc;
use sync_protocol::ids::DeviceId;
use sync_protocol::scope::Bucket;
use sync_protocol::wire::SyncRequest;

use super::Applied;
use super::check::{Checked, check};
use super::{Api, SyncError};
use crate::replica::clock::{Clock, hlc_ms};
use crate::replica::{Replica, db};

/// Where a run of pulls starts: whose, with which token, from which cursors and clock.
pub(crate) struct Pulls {
    pub owner: DeviceId,
    pub username: String,
    pub token: String,
    pub cursors: BTreeMap<Bucket, u64>,
    pub hlc: Hlc,
}

/// Pulls until no bucket has more, applying each page as it comes and telling `applied` of each,
/// which answers whether to go on. Stops early (without error) when it answers no, or when a reply
/// sends own events back to pending: the caller's rounds then push them again.
pub(crate) fn pull(replica: &mut Replica, api: &Api, from: Pulls, mut applied: impl FnMut(&Applied) -> bool) -> Result<(), SyncError> {
    // Its own connections: a connection belongs to the runtime that opened it.
    let fetcher_api = api.again()?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(SyncError::Fetcher)?;
    let (owner, clock) = (from.owner, replica.clock.clone());
    let file = replica.conn.path().filter(|p| !p.is_empty()).map(PathBuf::from);
    db::checkpoints_elsewhere(&replica.conn, file.is_some())?;
    let pulled = std::thread::scope(|s| {
        // One page checked and waiting while one is applied.
        let (pages, received) = sync_channel(1);
        s.spawn(move || runtime.block_on(fetch(&fetcher_api, from, clock, pages)));
        let (stop, stopped) = channel();
        if let Some(file) = &file {
            s.spawn(move || db::checkpoint_until(file, &stopped).inspect_err(|e| tracing::warn!(error = %e, "checkpoints stopped")));
        }
        for page in received {
            let done = replica.apply_checked(owner, &[], page?)?;
            if !applied(&done) || done.resent > 0 {
                break;
            }
        }
        // Leaving drops the receiver: the fetcher stops at its next page.
        drop(stop);
        Ok(())
    });
    db::checkpoints_elsewhere(&replica.conn, false)?;
    pulled
}

/// Fetches and checks page after page, sending each (or the first error) to the applier.
async fn fetch(api: &Api, mut from: Pulls, clock: Arc<dyn Clock>, pages: SyncSender<Result<Checked, SyncError>>) {
    loop {
        from.hlc = from.hlc.tick(hlc_ms(clock.now_ms()));
        // No witness asked: the round that started these pulls checked the log, and the replica's
        // witnessed size moves on only as pages are applied.
        let request =
            SyncRequest { events: Vec::new(), cursors: from.cursors.clone(), limit: Some(api.pull_page()), hlc: from.hlc, witness: None };
        let page = match api.sync(&from.token, &request, &from.username).await {
            Ok((reply, unreadable)) => check(reply, unreadable),
            Err(e) => Err(e),
        };
        let more = match &page {
            Ok(Checked { reply, .. }) => {
                for p in &reply.pages {
                    from.cursors.insert(p.bucket.clone(), p.cursor);
                }
                for bucket in &reply.purge {
                    from.cursors.remove(bucket);
                }
                from.hlc = from.hlc.merge(reply.hlc, hlc_ms(clock.now_ms()));
                reply.more()
            }
            Err(_) => false,
        };
        if pages.send(page).is_err() || !more {
            return;
        }
    }
}
