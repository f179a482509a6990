//! One sync round trip, as the server carries it out: check and store the pushed events through
//! the store's single writer, then page the caller's buckets after their cursors.

use serde_json::value::RawValue;
use std::collections::BTreeMap;
use sync_protocol::admit::Caller;
use sync_protocol::hlc::Hlc;
use sync_protocol::scope::Bucket;
use sync_protocol::wire::{Ack, BucketPage, DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT, MAX_PUSH_EVENTS, SyncRequest, SyncResponse};

use super::Services;
use super::ingest::prepare;
use super::principal::Principal;
use crate::pool::Dropped;
use crate::store::StoreError;
use crate::store::pulls::Reader;

/// Why a sync was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("{0} events in one push; at most {MAX_PUSH_EVENTS}")]
    TooManyEvents(usize),
    #[error(transparent)]
    PageSize(#[from] sync_protocol::ValidationError),
    /// The threads that check pushed events dropped the work (a panic, or shutting down).
    #[error("checking the events failed")]
    Checks(#[source] Dropped),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Runs one sync for `principal`.
pub async fn sync(services: &Services, mut principal: Principal, request: SyncRequest) -> Result<SyncResponse<Box<RawValue>>, SyncError> {
    let limit = check_limits(&request)?;
    let (acks, next_seq) =
        push(services, principal.caller(), principal.device.key, request.events, request.hlc, principal.device.head_seq).await?;
    services.metrics.acks(&acks);
    // A tip received or moved by this push changes which tip buckets the caller holds.
    if acks.iter().flat_map(|a| a.buckets.iter()).any(|b| matches!(b, Bucket::Tip(_)) && !principal.scope.contains(b)) {
        super::principal::rescope(services, &mut principal).await?;
    }
    let purge: Vec<Bucket> = request.cursors.keys().filter(|b| !principal.scope.contains(b)).cloned().collect();
    let pages = pull(services, &principal, request.cursors, limit).await?;
    flag_withheld(services, &pages).await;
    let witness = match request.witness {
        Some(held) => Some(services.store.witness(held).await?),
        None => None,
    };
    Ok(SyncResponse { acks, pages, purge, next_seq, hlc: services.store.tick(), witness })
}

/// Flags the stored events the pages left out because they no longer match their hash. The pull
/// is answered either way: a flag that cannot be written now is raised by the next pull.
async fn flag_withheld(services: &Services, pages: &[BucketPage<Box<RawValue>>]) {
    let withheld: Vec<_> = pages.iter().flat_map(|p| p.withheld.iter().cloned()).collect();
    if withheld.is_empty() {
        return;
    }
    if let Err(e) = services.store.flag_withheld(withheld).await {
        tracing::error!(error = %e, "could not flag the changed stored events");
    }
}

/// Checks the request's own limits (events per push, page size) and returns the page size.
pub fn check_limits(request: &SyncRequest) -> Result<u32, SyncError> {
    if request.events.len() > MAX_PUSH_EVENTS {
        return Err(SyncError::TooManyEvents(request.events.len()));
    }
    Ok(sync_protocol::wire::page_size(request.limit, DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT)?)
}

async fn push(
    services: &Services,
    caller: Caller,
    key: sync_protocol::crypto::PublicKey,
    events: Vec<Box<RawValue>>,
    stated: Hlc,
    head_seq: u64,
) -> Result<(Vec<Ack>, u64), SyncError> {
    if events.is_empty() {
        // A pull is a sync too: reconciliation lists devices by their last sync.
        services.store.note_pull(caller.device).await?;
        return Ok((Vec::new(), head_seq + 1));
    }
    let snapshot = services.store.check_snapshot();
    let prepared = services.cpu.run("checks", move || prepare(&events, &key, &snapshot)).await.map_err(SyncError::Checks)?;
    Ok(services.store.ingest(caller, prepared, stated).await?)
}

async fn pull(
    services: &Services,
    principal: &Principal,
    cursors: BTreeMap<Bucket, u64>,
    limit: u32,
) -> Result<Vec<BucketPage<Box<RawValue>>>, StoreError> {
    let scope: Vec<(Bucket, u64)> = principal.scope.iter().map(|b| (b.clone(), cursors.get(b).copied().unwrap_or(0))).collect();
    let reader = Reader { device: Some(principal.device.id), ..Reader::role(principal.user.role) };
    services.store.pages(scope, limit, reader).await
}
