//! One patrol as stored (`GET /v1/patrols/{id}`): its recording event, its amendments and the
//! enrolled key of each device that signed them, for the console's patrol page to check itself.

use sync_protocol::ids::EventId;
use sync_protocol::wire::patrol::PatrolRecord;

use super::Services;
use super::principal::Principal;
use crate::store::StoreError;

/// Why a patrol cannot be given.
#[derive(Debug, thiserror::Error)]
pub enum PatrolError {
    /// No such patrol in the caller's scope, whether or not it exists elsewhere.
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The patrol `id` if `principal`'s scope holds it; [`PatrolError::NotFound`] otherwise, as if it
/// did not exist.
pub async fn patrol(services: &Services, principal: &Principal, id: EventId) -> Result<PatrolRecord, PatrolError> {
    services.store.patrol(principal.scope.clone(), id).await?.ok_or(PatrolError::NotFound)
}
