//! `GET /readyz` (the store's writer commits) and `GET /metrics` (Prometheus text, on loopback or
//! for an admin).

use actix_web::{HttpRequest, HttpResponse, web};
use sync_protocol::body::Role;

use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::principal::Principal;

pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state.counties.ready().await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": "ready" })))
}

/// Open to a caller on the same host (when `[metrics] loopback` allows it), else to an admin's
/// token: the figures tell an outsider how busy the county is.
pub async fn metrics(state: web::Data<AppState>, req: HttpRequest, principal: Option<Principal>) -> Result<HttpResponse, ApiError> {
    let local = req.peer_addr().is_some_and(|peer| peer.ip().is_loopback());
    match principal {
        _ if local && state.metrics_on_loopback => {}
        Some(p) if p.user.role == Role::Admin => {}
        Some(_) => return Err(ApiError::Forbidden("the metrics are for admins, or on the server itself".into())),
        None => return Err(ApiError::Unauthenticated("an admin's token, or a call from the server itself".into())),
    }
    Ok(HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(state.metrics.encode()))
}
