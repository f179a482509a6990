//! The cases of a caller's scope (`GET /v1/cases`, `GET /v1/cases/{id}`): the read model's cases
//! (each the fold of its own steps, equal to the devices' fold) of the townships the scope holds,
//! filtered and summarised by `sync_protocol::wire::cases` at the clock's now.

use std::collections::BTreeSet;
use sync_protocol::admit::offer::{Viewer, fill_actions};
use sync_protocol::ids::{EventId, UnitId};
use sync_protocol::scope::Bucket;
use sync_protocol::wire::cases::{CaseDetail, CaseList, CaseQuery, MAX_CASES_PER_PAGE, list};
use sync_protocol::wire::page_size;

use super::Services;
use super::principal::Principal;
use crate::store::StoreError;

/// Why the cases asked for cannot be given.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    /// The query asks for what cannot be listed (a page size out of range).
    #[error("{0}")]
    Query(#[from] sync_protocol::ValidationError),
    /// No such case in the caller's scope, whether or not it exists elsewhere.
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The townships whose cases `scope` holds: every one for the county bucket (`None`), the
/// township buckets' otherwise (none for a village officer: cases route to townships only).
pub(super) fn townships(scope: &BTreeSet<Bucket>) -> Option<BTreeSet<UnitId>> {
    if scope.contains(&Bucket::County) {
        return None;
    }
    Some(scope.iter().filter_map(|b| if let Bucket::Township(t) = b { Some(t.clone()) } else { None }).collect())
}

/// Who `principal` is to the offer of steps (`sync_protocol::admit::offer`).
fn viewer(principal: &Principal) -> Viewer<'_> {
    Viewer { user: &principal.user.id, role: principal.user.role, units: &principal.user.units }
}

/// The cases in `principal`'s scope that `query` asks for, newest first, with their heads and
/// the steps `principal` may take. The store reads them a page at a time, newest first.
pub async fn cases(services: &Services, principal: &Principal, query: &CaseQuery) -> Result<CaseList, CaseError> {
    page_size(query.limit, MAX_CASES_PER_PAGE, MAX_CASES_PER_PAGE)?;
    let now = services.clock.now_ms();
    let found = match townships(&principal.scope) {
        Some(t) if t.is_empty() => Vec::new(),
        t => services.store.cases(t, query.clone(), now).await?,
    };
    let mut page = list(found.iter(), query, now);
    fill_actions(&viewer(principal), &mut page.cases);
    Ok(page)
}

/// One case of `principal`'s scope with every step and the steps `principal` may take;
/// [`CaseError::NotFound`] when the scope holds no such case (whether or not it exists elsewhere).
/// Read by its key.
pub async fn case(services: &Services, principal: &Principal, id: EventId) -> Result<CaseDetail, CaseError> {
    let found = match townships(&principal.scope) {
        Some(t) if t.is_empty() => None,
        t => services.store.case(t, id).await?,
    };
    let mut detail = CaseDetail::of(&found.ok_or(CaseError::NotFound)?, services.clock.now_ms());
    fill_actions(&viewer(principal), [&mut detail.summary]);
    Ok(detail)
}
