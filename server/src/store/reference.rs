//! Reference data and access records, authored by the server as events on its own chain
//! ([`ReferenceData`]): an officer's assignment, a user disabled or enabled, a device revoked,
//! and reference imports planned against what is stored, in the same transaction.

use std::sync::{Arc, Mutex};
use sync_protocol::body::{AssignmentSet, Body};
use sync_protocol::ids::{DeviceId, EventId, UserId};

use super::people::PasswordHash;
use super::{StoreError, StoreFuture};

/// Decides what to author from the accepted reference events (units, zones, assignments,
/// licences, enrolled users) in commit order and the time (Unix ms); runs inside the writer's
/// transaction, so nothing is committed between the read and the writes.
/// It may run twice, the first run's writes undone (`store::batch::Task`).
pub type Planner = Box<dyn FnMut(&[Body], i64) -> Vec<Body> + Send>;

/// Called after each body a planned import authored (a progress bar).
pub type Progress = Box<dyn Fn() + Send>;

pub trait ReferenceData: Send + Sync {
    /// Authors `assignment` if its officer is a village officer and its zone (if any) is known.
    fn assign(&self, assignment: AssignmentSet) -> StoreFuture<'_, EventId>;

    /// Records `user` disabled (or enabled) by `by`; `None` when the account was already so. The
    /// server's own user is not found.
    fn set_disabled(&self, by: UserId, user: UserId, disabled: bool) -> StoreFuture<'_, Option<EventId>>;

    /// Records `device` revoked by `by`; `None` when it was revoked before. The server's own
    /// device is not found.
    fn revoke_device(&self, by: UserId, device: DeviceId) -> StoreFuture<'_, Option<EventId>>;

    /// Whether any unit is stored (a county is loaded).
    fn holds_units(&self) -> StoreFuture<'_, bool>;

    /// The accepted reference events' bodies, in commit order.
    fn reference_bodies(&self) -> StoreFuture<'_, Vec<Body>>;

    /// Runs `plan` on the stored reference bodies in one writer transaction and authors what it
    /// returns how many bodies were authored. Then, in the same transaction, stores each of
    /// `passwords` whose user has none yet (the people just enrolled), so that a crash never
    /// leaves enrolled people without their password.
    fn author_planned(&self, plan: Planner, passwords: Vec<PasswordHash>, progress: Progress) -> StoreFuture<'_, usize>;
}

impl dyn ReferenceData + '_ {
    /// [`ReferenceData::author_planned`] with a plan that also says something to its caller (a
    /// summary, or why nothing is authored).
    pub async fn author_with<T: Send + 'static>(
        &self,
        mut plan: impl FnMut(&[Body], i64) -> (Vec<Body>, T) + Send + 'static,
        passwords: Vec<PasswordHash>,
        progress: Progress,
    ) -> Result<T, StoreError> {
        let said = Arc::new(Mutex::new(None));
        let slot = said.clone();
        let plan: Planner = Box::new(move |stored, now_ms| {
            let (bodies, outcome) = plan(stored, now_ms);
            *slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(outcome);
            bodies
        });
        self.author_planned(plan, passwords, progress).await?;
        let outcome = said.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        outcome.ok_or(StoreError::WriterGone)
    }
}
