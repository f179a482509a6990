//! Logging in: check the password (argon2id, off the async workers), bind and enrol the device
//! identity through the writer, and issue an access token.

use sync_protocol::ids::UserId;
use sync_protocol::wire::{LoginRequest, LoginResponse};

use crate::app::AppState;
use crate::error::ApiError;
use crate::store::principal;

/// Passwords longer than this are refused before hashing (no hashing-cost attacks).
const MAX_PASSWORD_BYTES: usize = 1_024;

pub async fn login(state: &AppState, request: LoginRequest) -> Result<LoginResponse, ApiError> {
    let username = request.username.clone();
    let user = match UserId::new(username.clone()) {
        Ok(_) => state.store.read(move |conn| principal::user(conn, &username)).await?,
        Err(_) => None,
    };
    let stored = user.as_ref().filter(|u| !u.disabled).map(|u| u.password_hash.clone());
    let password = if request.password.len() > MAX_PASSWORD_BYTES { String::new() } else { request.password };
    // Always one argon2 run, whether or not the user exists, so the timing tells nothing.
    let ok = state.passwords.check(password, stored).await;
    let user = match (ok, user) {
        (true, Some(user)) if !user.disabled => user,
        _ => return Err(ApiError::InvalidCredentials),
    };
    let (id, device) = (user.id.clone(), request.device.clone());
    let next_seq = state.store.writer().run(move |ctx| ctx.enrol(&id, &device)).await?;
    let subject = crate::auth::token::TokenSubject { user: user.id.clone(), device: request.device.device_id };
    let now = chrono::Utc::now();
    let (access_token, exp) =
        state.tokens.issue(&subject, now.timestamp()).map_err(|e| ApiError::Unauthenticated(format!("cannot issue a token: {e}")))?;
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
    })
}
