//! Logging in and staying logged in: check the password (throttled per account, argon2id off the
//! async workers, rehashed when the cost has risen), enrol the device, start a session; refresh
//! rotates the session's token; logout ends the session.

use sync_protocol::ids::{DeviceId, UserId};
use sync_protocol::wire::session::{RefreshRequest, RefreshResponse};
use sync_protocol::wire::{LoginRequest, LoginResponse};

use crate::app::AppState;
use crate::auth::Principal;
use crate::auth::password::Verdict;
use crate::auth::session::{RefreshToken, SessionId};
use crate::auth::throttle::ThrottleKey;
use crate::auth::token::TokenSubject;
use crate::error::ApiError;
use crate::store::principal::{self, UserRecord};
use crate::store::sessions::{Issued, RefreshRefused};

pub async fn login(state: &AppState, request: LoginRequest) -> Result<LoginResponse, ApiError> {
    let now_ms = chrono::Utc::now().timestamp_millis();
    let (user, proven) = who_asks(state, &request, now_ms).await?;
    let key = ThrottleKey::new(&request.username, proven);
    let admitted = state.auth.throttle.admit(&key, now_ms).map_err(|r| ApiError::retry_after(r.0))?;
    tokio::time::sleep(admitted.delay).await;
    let stored = user.as_ref().filter(|u| !u.disabled).map(|u| u.password_hash.clone());
    // Always one argon2 run, whether or not the user exists, so the timing tells nothing.
    let verdict = state.auth.passwords.check(request.password.clone(), stored.clone()).await;
    let right = matches!(verdict, Verdict::Right { .. });
    state.auth.throttle.finish(&key, right, chrono::Utc::now().timestamp_millis());
    let user = match (verdict, user, stored) {
        (Verdict::Right { rehash }, Some(user), Some(stored)) => {
            if rehash {
                rehash_password(state, &user.id, request.password, stored).await;
            }
            user
        }
        _ => return Err(ApiError::InvalidCredentials),
    };
    let (id, device) = (user.id.clone(), request.device.clone());
    let refresh = RefreshToken::random();
    let settings = state.auth.sessions;
    let (next_seq, issued) = state
        .store
        .writer()
        .run(move |ctx| {
            let next_seq = ctx.enrol(&id, &device)?;
            let issued = ctx.start_session(&id, device.device_id, &refresh, &settings)?;
            Ok((next_seq, (issued, refresh)))
        })
        .await?;
    let (issued, refresh) = issued;
    let (access_token, exp) = access_token(state, &issued)?;
    Ok(LoginResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_at: exp * 1000,
        user: user.id,
        role: user.role,
        display_name: user.display_name,
        device_id: request.device.device_id,
        next_seq,
        hlc: state.store.tick(),
        refresh_token: refresh.secret().to_owned(),
        refresh_expires_at: issued.refresh_expires_at,
    })
}

/// The user named (if any) and the device the login proved it holds, if it is that user's.
async fn who_asks(state: &AppState, request: &LoginRequest, now_ms: i64) -> Result<(Option<UserRecord>, Option<DeviceId>), ApiError> {
    let Ok(username) = UserId::new(request.username.clone()) else { return Ok((None, None)) };
    let device_id = request.device.device_id;
    let (user, device) =
        state.store.read(move |conn| Ok((principal::user(conn, username.as_str())?, principal::device(conn, device_id)?))).await?;
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
async fn rehash_password(state: &AppState, user: &UserId, password: String, old: String) {
    let phc = match state.auth.passwords.hash(password).await {
        Ok(phc) => phc,
        Err(e) => return tracing::warn!(error = %e, %user, "could not rehash a password"),
    };
    let id = user.clone();
    if let Err(e) = state.store.writer().run(move |ctx| ctx.replace_password(&id, &old, &phc)).await {
        tracing::warn!(error = %e, %user, "could not store a rehashed password");
    }
}

/// Spends a refresh token for a new access token and its successor.
pub async fn refresh(state: &AppState, request: RefreshRequest) -> Result<RefreshResponse, ApiError> {
    let presented = RefreshToken::presented(request.refresh_token);
    let next = RefreshToken::random();
    let settings = state.auth.sessions;
    let outcome = state.store.writer().run(move |ctx| ctx.refresh_session(&presented, &next, &settings).map(|r| (r, next))).await?;
    let (issued, next) = match outcome {
        (Ok(issued), next) => (issued, next),
        (Err(RefreshRefused::Reused), _) => {
            return Err(ApiError::Unauthenticated("this refresh token was already used: the session is revoked, log in again".into()));
        }
        (Err(RefreshRefused::Ended | RefreshRefused::Unknown), _) => {
            return Err(ApiError::Unauthenticated("the session has ended: log in again".into()));
        }
    };
    let (access_token, exp) = access_token(state, &issued)?;
    Ok(RefreshResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_at: exp * 1000,
        refresh_token: next.secret().to_owned(),
        refresh_expires_at: issued.refresh_expires_at,
        hlc: state.store.tick(),
    })
}

/// Ends the caller's session: its refresh token and every access token of it stop working.
pub async fn logout(state: &AppState, principal: &Principal) -> Result<(), ApiError> {
    let session: SessionId = principal.session;
    state.store.writer().run(move |ctx| ctx.end_session(session, "logout")).await?;
    Ok(())
}

fn access_token(state: &AppState, issued: &Issued) -> Result<(String, i64), ApiError> {
    let subject = TokenSubject { user: issued.user.clone(), device: issued.device, session: issued.session };
    state
        .auth
        .tokens
        .issue(&subject, chrono::Utc::now().timestamp())
        .map_err(|e| ApiError::Unauthenticated(format!("cannot issue a token: {e}")))
}
