//! One sync round trip, as the server carries it out: check and store the pushed events through
//! the single writer, then page the caller's buckets after their cursors.

use serde_json::value::RawValue;
use std::collections::BTreeMap;
use sync_protocol::admit::Caller;
use sync_protocol::hlc::Hlc;
use sync_protocol::scope::Bucket;
use sync_protocol::wire::{Ack, BucketPage, DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT, MAX_PUSH_EVENTS, SyncRequest, SyncResponse};

use crate::auth::Principal;
use crate::error::ApiError;
use crate::ingest::prepare;
use crate::store::{Store, pull};

/// Runs one sync for `principal`.
pub async fn sync(store: &Store, principal: Principal, request: SyncRequest) -> Result<SyncResponse<Box<RawValue>>, ApiError> {
    let limit = check_limits(&request)?;
    let (acks, next_seq) =
        push(store, principal.caller(), principal.device.key, request.events, request.hlc, principal.device.head_seq).await?;
    let purge: Vec<Bucket> = request.cursors.keys().filter(|b| !principal.scope.contains(b)).cloned().collect();
    let pages = pull(store, &principal, request.cursors, limit).await?;
    Ok(SyncResponse { acks, pages, purge, next_seq, hlc: store.tick() })
}

/// Checks the request's own limits (events per push, page size) and returns the page size.
pub fn check_limits(request: &SyncRequest) -> Result<u32, ApiError> {
    if request.events.len() > MAX_PUSH_EVENTS {
        return Err(ApiError::MalformedRequest(format!("{} events in one push; at most {MAX_PUSH_EVENTS}", request.events.len())));
    }
    sync_protocol::wire::page_size(request.limit, DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT).map_err(|e| ApiError::MalformedRequest(e.to_string()))
}

async fn push(
    store: &Store,
    caller: Caller,
    key: sync_protocol::crypto::PublicKey,
    events: Vec<Box<RawValue>>,
    stated: Hlc,
    head_seq: u64,
) -> Result<(Vec<Ack>, u64), ApiError> {
    if events.is_empty() {
        // A pull is a sync too: reconciliation lists devices by their last sync.
        let device = caller.device;
        store.writer().run(move |ctx| ctx.note_pull(device)).await?;
        return Ok((Vec::new(), head_seq + 1));
    }
    let snapshot = store.check_snapshot();
    let prepared = store
        .blocking()
        .run("checks", move || prepare(&events, &key, &snapshot))
        .await
        .map_err(|e| ApiError::Internal(crate::store::StoreError::Corrupt(format!("checking the events failed: {e}"))))?;
    let device = caller.device;
    let result = store
        .writer()
        .run(move |ctx| {
            let acks = ctx.ingest(&caller, prepared, stated)?;
            let next = ctx.head(device)?.expected_seq();
            Ok((acks, next))
        })
        .await?;
    Ok(result)
}

async fn pull(
    store: &Store,
    principal: &Principal,
    cursors: BTreeMap<Bucket, u64>,
    limit: u32,
) -> Result<Vec<BucketPage<Box<RawValue>>>, ApiError> {
    let scope: Vec<(Bucket, u64)> = principal.scope.iter().map(|b| (b.clone(), cursors.get(b).copied().unwrap_or(0))).collect();
    let reader = pull::Reader { device: Some(principal.device.id), ..pull::Reader::role(principal.user.role) };
    let pages = store
        .read(move |conn| {
            let mut remaining = limit;
            let mut pages = Vec::with_capacity(scope.len());
            for (bucket, cursor) in scope {
                let page = pull::page(conn, &bucket, cursor, remaining, reader)?;
                remaining -= page.events.len() as u32;
                pages.push(page);
            }
            Ok(pages)
        })
        .await?;
    Ok(pages)
}
