//! The server's projection of a scope: the same fold the devices run, over the accepted events
//! of the scope's buckets.

use std::collections::BTreeSet;
use sync_protocol::body::Role;
use sync_protocol::fold::Projection;
use sync_protocol::scope::Bucket;

use crate::error::ApiError;
use crate::store::{Store, pull};

/// The fold of `scope` as `role` may see it: without informants unless the role may read them.
pub async fn of_scope(store: &Store, scope: &BTreeSet<Bucket>, role: Role) -> Result<Projection, ApiError> {
    let buckets: Vec<Bucket> = scope.iter().cloned().collect();
    let events = store
        .read(move |conn| {
            let mut events = Vec::new();
            for bucket in &buckets {
                events.extend(pull::all(conn, bucket, pull::Reader::role(role))?);
            }
            Ok(events)
        })
        .await?;
    Ok(Projection::fold(&events))
}
