//! `POST /v1/auth/login`, `/v1/auth/refresh` and `/v1/auth/logout`, each first through the
//! per-address limit (429 with `Retry-After`).

use actix_web::{HttpRequest, HttpResponse, web};

use crate::http::AppState;
use crate::http::county::County;
use crate::http::error::ApiError;
use crate::http::principal::Principal;
use crate::service::login;
use sync_protocol::wire::LoginRequest;
use sync_protocol::wire::session::RefreshRequest;

/// The largest auth request body, bytes.
const MAX_AUTH_BODY: usize = 16 * 1024;

pub async fn login(state: web::Data<AppState>, req: HttpRequest, payload: web::Payload) -> Result<HttpResponse, ApiError> {
    auth_limit(&state, &req)?;
    let request: LoginRequest = crate::http::body::json(&req, payload, MAX_AUTH_BODY, state.body_timeout).await?;
    let county = state.counties.named(request.county.as_deref())?;
    let outcome = login::login(county, request).await;
    state.metrics.login(match &outcome {
        Ok(_) => "ok",
        Err(login::LoginError::InvalidCredentials) => "failed",
        Err(login::LoginError::Throttled(_)) => "throttled",
        Err(_) => "error",
    });
    Ok(HttpResponse::Ok().json(outcome?))
}

pub async fn refresh(state: web::Data<AppState>, req: HttpRequest, payload: web::Payload) -> Result<HttpResponse, ApiError> {
    auth_limit(&state, &req)?;
    let request: RefreshRequest = crate::http::body::json(&req, payload, MAX_AUTH_BODY, state.body_timeout).await?;
    let (county, secret) = state.counties.of_refresh(&request.refresh_token)?;
    Ok(HttpResponse::Ok().json(login::refresh(county, RefreshRequest { refresh_token: secret.to_owned() }).await?))
}

pub async fn logout(state: web::Data<AppState>, county: County, req: HttpRequest, principal: Principal) -> Result<HttpResponse, ApiError> {
    auth_limit(&state, &req)?;
    login::logout(&county, &principal).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The per-address limit, by the TCP peer's address (no forwarding header is trusted).
pub fn auth_limit(state: &AppState, req: &HttpRequest) -> Result<(), ApiError> {
    match req.peer_addr() {
        Some(peer) => state.auth.per_ip.check(peer.ip()).map_err(ApiError::retry_after),
        None => Ok(()),
    }
}
