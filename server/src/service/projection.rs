//! The server's projection of a scope: the same fold the devices run, over the accepted events
//! of the scope's buckets.

use std::collections::BTreeSet;
use sync_protocol::body::Role;
use sync_protocol::fold::Projection;
use sync_protocol::scope::Bucket;

use crate::store::pulls::{Pulls, Reader};
use crate::store::{Store, StoreError};

/// Why a scope's fold cannot be given: its events cannot be read.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ProjectionError(#[from] pub StoreError);

/// The fold of `scope` as `role` may see it: without informants unless the role may read them.
pub async fn of_scope(store: &dyn Pulls, scope: &BTreeSet<Bucket>, role: Role) -> Result<Projection, ProjectionError> {
    let events = store.events(scope.iter().cloned().collect(), Reader::role(role)).await?;
    Ok(Projection::fold(&events))
}

/// The office part of `scope` as `role` may see it: the fold of its reference data (units, zones,
/// licences, users, assignments) and tips (with, for the roles that may read them, informants),
/// each tip with the cases opened on it from the read model. Without the events recorded in the
/// field, which make the bulk of the log, and without the cases, which grow with the county's
/// years and which `GET /v1/cases` pages: the console's map and tips read it.
pub async fn office(store: &dyn Store, scope: &BTreeSet<Bucket>, role: Role) -> Result<Projection, ProjectionError> {
    let events = store.office_events(scope.iter().cloned().collect(), Reader::role(role)).await?;
    let mut office = Projection::fold(&events);
    let townships = super::cases::townships(scope);
    if townships.as_ref().is_none_or(|t| !t.is_empty()) && !office.tips.is_empty() {
        let tips = office.tips.keys().copied().collect();
        for (tip, cases) in store.tip_cases(townships, tips).await? {
            if let Some(t) = office.tips.get_mut(&tip) {
                t.cases = cases;
            }
        }
    }
    Ok(office)
}
