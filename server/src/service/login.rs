//! Logging in and staying logged in: check the password (throttled per account, argon2id off the
//! async workers, rehashed when the cost has risen), enrol the device, start a session; refresh
//! rotates the session's token; logout ends the session.

use sync_protocol::ids::{DeviceId, UserId};
use sync_protocol::wire::session::{RefreshRequest, RefreshResponse};
use sync_protocol::wire::{LoginRequest, LoginResponse};

use super::Services;
use super::auth::password::Verdict;
use super::auth::throttle::ThrottleKey;
use super::auth::token::{TokenError, TokenSubject};
use super::people::{self, PeopleError};
use super::principal::Principal;
use crate::store::StoreError;
use crate::store::people::AccessEntry;
use crate::store::sessions::{Issued, RefreshRefused, RefreshToken, SessionEnd, UserRecord};
use sync_protocol::wire::people::AccessKind;

/// Why a login, refresh or logout gave no token.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Wrong username or password (or a disabled account): the caller learns no more than that.
    #[error("wrong username or password")]
    InvalidCredentials,
    /// Too many failed logins on the account: retry after this long.
    #[error("too many attempts")]
    Throttled(std::time::Duration),
    #[error("this refresh token was already used: the session is revoked, log in again")]
    RefreshReused,
    #[error("the session has ended: log in again")]
    SessionEnded,
    #[error("cannot issue a token")]
    Token(#[source] TokenError),
    /// The password is a one-time password: log in again with a new one (`new_password`).
    #[error("this is a one-time password: choose a new password (请设置新密码)")]
    PasswordChangeRequired,
    /// The new password given at login is refused.
    #[error(transparent)]
    NewPassword(PeopleError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub async fn login(services: &Services, request: LoginRequest) -> Result<LoginResponse, LoginError> {
    let auth = &services.auth;
    let (user, proven) = who_asks(services, &request).await?;
    // Per county: the same name in two counties is two accounts.
    let key = ThrottleKey::new(&format!("{}/{}", services.county.code, request.username), proven);
    let admitted = match auth.throttle.admit(&key, services.clock.now_ms()) {
        Ok(admitted) => admitted,
        Err(retry) => {
            log_access(services, &request, AccessKind::LoginFailed, "throttled").await;
            return Err(LoginError::Throttled(retry.0));
        }
    };
    tokio::time::sleep(admitted.delay).await;
    let stored = user.as_ref().filter(|u| !u.disabled).map(|u| u.password_hash.clone());
    // Always one argon2 run, whether or not the user exists, so the timing tells nothing.
    let verdict = auth.passwords.check(request.password.clone(), stored.clone()).await;
    let right = matches!(verdict, Verdict::Right { .. });
    auth.throttle.finish(&key, right, services.clock.now_ms());
    let user = match (verdict, user, stored) {
        (Verdict::Right { rehash }, Some(user), Some(stored)) => {
            if rehash {
                rehash_password(services, &user.id, request.password.clone(), stored).await;
            }
            user
        }
        _ => {
            log_access(services, &request, AccessKind::LoginFailed, "wrong_credentials").await;
            return Err(LoginError::InvalidCredentials);
        }
    };
    replace_one_time_password(services, &request, &user).await?;
    let refresh = RefreshToken::random();
    let (next_seq, issued) =
        services.store.enrol_and_start_session(user.id.clone(), request.device.clone(), refresh.clone(), auth.sessions).await?;
    let (access_token, exp) = access_token(services, &issued)?;
    log_access(services, &request, AccessKind::Login, "").await;
    Ok(LoginResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_at: exp * 1000,
        user: user.id,
        role: user.role,
        display_name: user.display_name,
        device_id: request.device.device_id,
        next_seq,
        hlc: services.store.tick(),
        refresh_token: services.county.refresh_token(refresh.secret()),
        refresh_expires_at: issued.refresh_expires_at,
    })
}

/// A one-time password admits no session until a new password replaces it; a new password given
/// with the right one replaces it, whether or not it was one-time.
async fn replace_one_time_password(services: &Services, request: &LoginRequest, user: &UserRecord) -> Result<(), LoginError> {
    match &request.new_password {
        Some(new) if new == &request.password => Err(LoginError::NewPassword(PeopleError::SamePassword)),
        Some(new) => {
            people::store_chosen_password(services, &user.id, new.clone(), Some(request.device.device_id))
                .await
                .map_err(LoginError::NewPassword)?;
            Ok(())
        }
        None if user.must_change_password => {
            log_access(services, request, AccessKind::LoginFailed, "password_change_required").await;
            Err(LoginError::PasswordChangeRequired)
        }
        None => Ok(()),
    }
}

/// Appends a login's outcome to the access log. A failure to write it is logged and does not
/// change the login's answer.
async fn log_access(services: &Services, request: &LoginRequest, kind: AccessKind, detail: &str) {
    let entry = AccessEntry {
        username: request.username.chars().take(128).collect(),
        kind,
        device: Some(request.device.device_id),
        by: None,
        detail: detail.to_owned(),
    };
    if let Err(e) = services.store.log_access(entry).await {
        tracing::warn!(error = %e, "could not write the access log");
    }
}

/// The user named (if any) and the device the login proved it holds, if it is that user's.
async fn who_asks(services: &Services, request: &LoginRequest) -> Result<(Option<UserRecord>, Option<DeviceId>), StoreError> {
    let Ok(username) = UserId::new(request.username.clone()) else { return Ok((None, None)) };
    let (user, device) = services.store.user_and_device(username, request.device.device_id).await?;
    let now_ms = services.clock.now_ms();
    let proven = match (&user, device, request.device.proof) {
        (Some(user), Some(device), Some(proof))
            if device.user == user.id && !device.revoked && proof.holds(&device.key, &request.username, device.id, now_ms) =>
        {
            Some(device.id)
        }
        _ => None,
    };
    Ok((user, proven))
}

/// Stores a new hash at the current cost, unless the stored one changed meanwhile. A failure
/// is logged and tried again at the next login: the user is in either way.
async fn rehash_password(services: &Services, user: &UserId, password: String, old: String) {
    let phc = match services.auth.passwords.hash(password).await {
        Ok(phc) => phc,
        Err(e) => return tracing::warn!(error = %e, %user, "could not rehash a password"),
    };
    if let Err(e) = services.store.replace_password(user.clone(), old, phc).await {
        tracing::warn!(error = %e, %user, "could not store a rehashed password");
    }
}

/// Spends a refresh token for a new access token and its successor. `request` holds the secret
/// alone: the county's tag, if any, chose `services` (`Counties::of_refresh`).
pub async fn refresh(services: &Services, request: RefreshRequest) -> Result<RefreshResponse, LoginError> {
    let presented = RefreshToken::presented(request.refresh_token);
    let next = RefreshToken::random();
    let issued = match services.store.refresh_session(presented, next.clone(), services.auth.sessions).await? {
        Ok(issued) => issued,
        Err(RefreshRefused::Reused) => return Err(LoginError::RefreshReused),
        Err(RefreshRefused::Ended | RefreshRefused::Unknown) => return Err(LoginError::SessionEnded),
    };
    let (access_token, exp) = access_token(services, &issued)?;
    Ok(RefreshResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_at: exp * 1000,
        refresh_token: services.county.refresh_token(next.secret()),
        refresh_expires_at: issued.refresh_expires_at,
        hlc: services.store.tick(),
    })
}

/// Logs in like [`login`] and also gives the session's holder (the console shows the user's
/// units, which the login reply leaves out).
pub async fn login_held(services: &Services, request: LoginRequest) -> Result<(LoginResponse, Principal), LoginError> {
    let reply = login(services, request).await?;
    let principal = holder(services, &reply.access_token).await?;
    Ok((reply, principal))
}

/// Spends a refresh token like [`refresh`] and also says whose session it is (the console, after
/// a reload, knows only its cookie).
pub async fn resume(services: &Services, request: RefreshRequest) -> Result<(RefreshResponse, Principal), LoginError> {
    let tokens = refresh(services, request).await?;
    let principal = holder(services, &tokens.access_token).await?;
    Ok((tokens, principal))
}

/// The holder of a token just issued, as the next request would see it.
async fn holder(services: &Services, access_token: &str) -> Result<Principal, LoginError> {
    match super::principal::authenticate(services, Some(&format!("Bearer {access_token}"))).await {
        Ok(principal) => Ok(principal),
        Err(super::principal::AuthError::Store(e)) => Err(LoginError::Store(e)),
        Err(_) => Err(LoginError::SessionEnded),
    }
}

/// Ends the caller's session: its refresh token and every access token of it stop working.
pub async fn logout(services: &Services, principal: &Principal) -> Result<(), LoginError> {
    Ok(services.store.end_session(principal.session, SessionEnd::Logout).await?)
}

fn access_token(services: &Services, issued: &Issued) -> Result<(String, i64), LoginError> {
    let subject =
        TokenSubject { user: issued.user.clone(), device: issued.device, session: issued.session, county: services.county.code.clone() };
    services.auth.tokens.issue(&subject, services.clock.now_s()).map_err(LoginError::Token)
}
