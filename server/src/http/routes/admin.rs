//! `/v1/admin/*` (admin only): assign an officer to a zone from a time on; disable or enable a
//! user; revoke a device identity (a lost phone).

use actix_web::{HttpRequest, HttpResponse, web};
use sync_protocol::ids::{DeviceId, EventId, UserId};

use crate::http::AppState;
use crate::http::body::JsonBody;
use crate::http::county::County;
use crate::http::error::ApiError;
use crate::http::principal::Admin;
use crate::service::admin;

fn recorded(event: Option<EventId>) -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "event": event }))
}

pub async fn assign(state: web::Data<AppState>, county: County, req: HttpRequest, payload: web::Payload) -> Result<HttpResponse, ApiError> {
    let mut body = JsonBody::new(payload, 16 * 1024);
    body.meanwhile(crate::http::principal::admin(&req)).await??;
    body.check(&req)?;
    let request = body.parse(&req, state.body_timeout).await?;
    let event = admin::assign(&*county.store, request).await?;
    Ok(recorded(Some(event)))
}

pub(super) fn user_id(path: &str) -> Result<UserId, ApiError> {
    UserId::new(path).map_err(|e| ApiError::MalformedRequest(e.to_string()))
}

pub async fn disable_user(county: County, Admin(principal): Admin, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = user_id(&path)?;
    Ok(recorded(admin::set_disabled(&*county.store, principal.user.id, user, true).await?))
}

pub async fn enable_user(county: County, Admin(principal): Admin, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = user_id(&path)?;
    Ok(recorded(admin::set_disabled(&*county.store, principal.user.id, user, false).await?))
}

pub async fn revoke_device(county: County, Admin(principal): Admin, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let device: DeviceId = path.parse().map_err(|e: sync_protocol::ValidationError| ApiError::MalformedRequest(e.to_string()))?;
    Ok(recorded(admin::revoke_device(&*county.store, principal.user.id, device).await?))
}
