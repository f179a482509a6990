//! People administration: an admin enrols a user, changes their record or resets their password
//! (a one-time password, handed back once), a user changes their own password, and the county
//! reads the access log. Every change is authored by the server as an event naming who made it;
//! a password or its hash is never in an event or the log.

use sync_protocol::body::{AssignmentSet, UserChanged, UserEnrolled};
use sync_protocol::ids::{EventId, UserId};
use sync_protocol::wire::people::{AccessLog, AccessQuery, NewUser, OneTimePassword, PasswordChange, UserChange};

use super::Services;
use super::auth::password::{PasswordError, Verdict, check_new_password, random_password};
use super::auth::throttle::ThrottleKey;
use super::principal::Principal;
use crate::store::people::PasswordHash;
use crate::store::{Entity, StoreError};

/// How many characters a one-time password has (from a 32-letter alphabet: 60 bits).
pub const ONE_TIME_PASSWORD_CHARS: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum PeopleError {
    #[error("{0}")]
    Invalid(sync_protocol::ValidationError),
    #[error("the new password is refused: {0}")]
    NewPassword(#[source] PasswordError),
    #[error("the new password is the same as the current one")]
    SamePassword,
    #[error("the current password is wrong")]
    WrongPassword,
    #[error("too many attempts")]
    Throttled(std::time::Duration),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Enrols a new user on behalf of the admin `by`, with their zone for a village officer, and
/// returns their one-time password.
pub async fn add_user(services: &Services, by: UserId, request: NewUser) -> Result<OneTimePassword, PeopleError> {
    let NewUser { user, display_name, role, units, phone, zone, from } = request;
    let enrolled = UserEnrolled { user: user.clone(), display_name, role, units, phone, by: Some(by.clone()) };
    enrolled.validate().map_err(PeopleError::Invalid)?;
    let from = from.unwrap_or_else(|| services.clock.now_ms());
    let assignment = zone.map(|zone| AssignmentSet { officer: user.clone(), zone: Some(zone), from, by: Some(by) });
    if let Some(a) = &assignment {
        a.validate().map_err(PeopleError::Invalid)?;
    }
    let (secret, phc) = one_time_password(services).await?;
    let events = services.store.enrol_person(enrolled, assignment, PasswordHash { user: user.clone(), phc, one_time: true }).await?;
    Ok(OneTimePassword { user, one_time_password: secret, events })
}

/// Changes a user's record on behalf of the admin `by`: the fields given replace the stored ones.
/// `None` when nothing changed.
pub async fn change_user(services: &Services, by: UserId, user: UserId, change: UserChange) -> Result<Option<EventId>, PeopleError> {
    let (record, _) = services.store.user_and_device(user.clone(), sync_protocol::ids::DeviceId(uuid::Uuid::nil())).await?;
    let record = record.ok_or_else(|| StoreError::not_found(Entity::User, &user))?;
    let phone = match change.phone {
        Some(p) if p.is_empty() => None,
        Some(p) => Some(p),
        None => record.phone,
    };
    let changed = UserChanged {
        user,
        display_name: change.display_name.unwrap_or(record.display_name),
        role: change.role.unwrap_or(record.role),
        units: change.units.unwrap_or(record.units),
        phone,
        by,
    };
    changed.validate().map_err(PeopleError::Invalid)?;
    Ok(services.store.change_person(changed).await?)
}

/// Resets `user`'s password on behalf of the admin `by`: a one-time password, which their next
/// login must replace; their sessions end.
pub async fn reset_password(services: &Services, by: UserId, user: UserId) -> Result<OneTimePassword, PeopleError> {
    let (secret, phc) = one_time_password(services).await?;
    let event = services.store.reset_password(Some(by), PasswordHash { user: user.clone(), phc, one_time: true }).await?;
    Ok(OneTimePassword { user, one_time_password: secret, events: vec![event] })
}

/// The caller changes their own password, proving the current one (throttled like a login).
pub async fn change_own_password(services: &Services, principal: &Principal, request: PasswordChange) -> Result<EventId, PeopleError> {
    check_new_password(&request.new_password).map_err(PeopleError::NewPassword)?;
    if request.new_password == request.current_password {
        return Err(PeopleError::SamePassword);
    }
    let auth = &services.auth;
    let key = ThrottleKey::new(principal.user.id.as_str(), Some(principal.device.id));
    let admitted = auth.throttle.admit(&key, services.clock.now_ms()).map_err(|r| PeopleError::Throttled(r.0))?;
    tokio::time::sleep(admitted.delay).await;
    let verdict = auth.passwords.check(request.current_password, Some(principal.user.password_hash.clone())).await;
    let right = matches!(verdict, Verdict::Right { .. });
    auth.throttle.finish(&key, right, services.clock.now_ms());
    if !right {
        return Err(PeopleError::WrongPassword);
    }
    store_chosen_password(services, &principal.user.id, request.new_password, Some(principal.device.id)).await
}

/// Hashes and stores a password the user chose (a change, or the one that replaces a one-time
/// password at login), recording `password.changed`.
pub async fn store_chosen_password(
    services: &Services,
    user: &UserId,
    password: String,
    device: Option<sync_protocol::ids::DeviceId>,
) -> Result<EventId, PeopleError> {
    check_new_password(&password).map_err(PeopleError::NewPassword)?;
    let phc = services.auth.passwords.hash(password).await.map_err(PeopleError::NewPassword)?;
    Ok(services.store.change_password(PasswordHash { user: user.clone(), phc, one_time: false }, device).await?)
}

/// A page of the access log (county roles only; the route checks).
pub async fn access_log(services: &Services, query: AccessQuery) -> Result<AccessLog, PeopleError> {
    Ok(services.store.access_log(query).await?)
}

/// A fresh one-time password and its hash.
async fn one_time_password(services: &Services) -> Result<(String, String), PeopleError> {
    let secret = random_password(ONE_TIME_PASSWORD_CHARS);
    let phc = services.auth.passwords.hash(secret.clone()).await.map_err(PeopleError::NewPassword)?;
    Ok((secret, phc))
}
