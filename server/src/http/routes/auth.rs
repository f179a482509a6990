//! `POST /v1/auth/login`, `/v1/auth/refresh` and `/v1/auth/logout`, each first through the
//! per-address limit (429 with `Retry-After`).

use actix_web::{HttpRequest, HttpResponse, web};

use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::principal::Principal;
use crate::service::login;

/// The largest auth request body, bytes.
const MAX_AUTH_BODY: usize = 16 * 1024;

pub async fn login(state: web::Data<AppState>, req: HttpRequest, payload: web::Payload) -> Result<HttpResponse, ApiError> {
    auth_limit(&state, &req)?;
    let request = crate::http::body::json(&req, payload, MAX_AUTH_BODY, state.body_timeout).await?;
    let outcome = login::login(&state.services, request).await;
    state.services.metrics.login(match &outcome {
        Ok(_) => "ok",
        Err(login::LoginError::InvalidCredentials) => "failed",
        Err(login::LoginError::Throttled(_)) => "throttled",
        Err(_) => "error",
    });
    Ok(HttpResponse::Ok().json(outcome?))
}

pub async fn refresh(state: web::Data<AppState>, req: HttpRequest, payload: web::Payload) -> Result<HttpResponse, ApiError> {
    auth_limit(&state, &req)?;
    let request = crate::http::body::json(&req, payload, MAX_AUTH_BODY, state.body_timeout).await?;
    Ok(HttpResponse::Ok().json(login::refresh(&state.services, request).await?))
}

pub async fn logout(state: web::Data<AppState>, req: HttpRequest, principal: Principal) -> Result<HttpResponse, ApiError> {
    auth_limit(&state, &req)?;
    login::logout(&state.services, &principal).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The per-address limit, by the TCP peer's address (no forwarding header is trusted).
pub fn auth_limit(state: &AppState, req: &HttpRequest) -> Result<(), ApiError> {
    match req.peer_addr() {
        Some(peer) => state.services.auth.per_ip.check(peer.ip()).map_err(ApiError::retry_after),
        None => Ok(()),
    }
}
