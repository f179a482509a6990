//! The cases of a caller's scope (`GET /v1/cases`, `GET /v1/cases/{id}`): the fold the devices run,
//! over the scope's events, filtered and summarised by `sync_protocol::wire::cases` at the clock's now.

use std::collections::BTreeSet;
use sync_protocol::body::Role;
use sync_protocol::ids::EventId;
use sync_protocol::scope::Bucket;
use sync_protocol::wire::cases::{CaseDetail, CaseList, CaseQuery, list};

use super::Services;
use crate::store::StoreError;

/// The cases in `scope` that `query` asks for, newest first, with their heads.
pub async fn cases(services: &Services, scope: &BTreeSet<Bucket>, role: Role, query: &CaseQuery) -> Result<CaseList, StoreError> {
    let projection = super::projection::of_scope(&*services.store, scope, role).await?;
    Ok(list(projection.cases.values(), query, services.clock.now_ms()))
}

/// One case of `scope` with every step; `None` when the scope holds no such case (whether or not
/// it exists elsewhere).
pub async fn case(services: &Services, scope: &BTreeSet<Bucket>, role: Role, id: EventId) -> Result<Option<CaseDetail>, StoreError> {
    let projection = super::projection::of_scope(&*services.store, scope, role).await?;
    Ok(projection.cases.get(&id).map(|c| CaseDetail::of(c, services.clock.now_ms())))
}
