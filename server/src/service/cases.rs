//! The cases of a caller's scope (`GET /v1/cases`, `GET /v1/cases/{id}`): the read model's cases
//! (each the fold of its own steps, equal to the devices' fold) of the townships the scope holds,
//! filtered and summarised by `sync_protocol::wire::cases` at the clock's now.

use std::collections::BTreeSet;
use sync_protocol::fold::Case;
use sync_protocol::ids::{EventId, UnitId};
use sync_protocol::scope::Bucket;
use sync_protocol::wire::cases::{CaseDetail, CaseList, CaseQuery, list};

use super::Services;
use crate::store::StoreError;

/// The townships whose cases `scope` holds: every one for the county bucket (`None`), the
/// township buckets' otherwise (none for a village officer: cases route to townships only).
fn townships(scope: &BTreeSet<Bucket>) -> Option<BTreeSet<UnitId>> {
    if scope.contains(&Bucket::County) {
        return None;
    }
    Some(scope.iter().filter_map(|b| if let Bucket::Township(t) = b { Some(t.clone()) } else { None }).collect())
}

async fn in_scope(services: &Services, scope: &BTreeSet<Bucket>) -> Result<Vec<Case>, StoreError> {
    match townships(scope) {
        Some(t) if t.is_empty() => Ok(Vec::new()),
        t => services.store.cases(t).await,
    }
}

/// The cases in `scope` that `query` asks for, newest first, with their heads.
pub async fn cases(services: &Services, scope: &BTreeSet<Bucket>, query: &CaseQuery) -> Result<CaseList, StoreError> {
    Ok(list(in_scope(services, scope).await?.iter(), query, services.clock.now_ms()))
}

/// One case of `scope` with every step; `None` when the scope holds no such case (whether or not
/// it exists elsewhere).
pub async fn case(services: &Services, scope: &BTreeSet<Bucket>, id: EventId) -> Result<Option<CaseDetail>, StoreError> {
    Ok(in_scope(services, scope).await?.iter().find(|c| c.id == id).map(|c| CaseDetail::of(c, services.clock.now_ms())))
}
