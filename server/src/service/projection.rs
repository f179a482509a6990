//! The server's projection of a scope: the same fold the devices run, over the accepted events
//! of the scope's buckets.

use std::collections::BTreeSet;
use sync_protocol::body::Role;
use sync_protocol::fold::Projection;
use sync_protocol::scope::Bucket;

use crate::store::StoreError;
use crate::store::pulls::{Pulls, Reader};

/// The fold of `scope` as `role` may see it: without informants unless the role may read them.
pub async fn of_scope(store: &dyn Pulls, scope: &BTreeSet<Bucket>, role: Role) -> Result<Projection, StoreError> {
    let events = store.events(scope.iter().cloned().collect(), Reader::role(role)).await?;
    Ok(Projection::fold(&events))
}

/// The office part of `scope` as `role` may see it: the fold of its reference data and office
/// records (units, zones, licences, cases, tips and, for the roles that may read them, informants)
/// without the events recorded in the field, which make the bulk of the log. The console's map and
/// case pages read it; patrols and findings reach them through the read model's reports.
pub async fn office(store: &dyn Pulls, scope: &BTreeSet<Bucket>, role: Role) -> Result<Projection, StoreError> {
    let events = store.office_events(scope.iter().cloned().collect(), Reader::role(role)).await?;
    Ok(Projection::fold(&events))
}
