//! `POST /v1/admin/assignments`: assign an officer to a zone from a time on (admin only).

use actix_web::{HttpRequest, HttpResponse, web};
use sync_protocol::body::Role;

use crate::app::AppState;
use crate::auth::Principal;
use crate::error::ApiError;

pub async fn assign(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    principal.require(Role::Admin)?;
    let request = crate::body::json(&req, payload, 16 * 1024, state.body_timeout).await?;
    let event = crate::admin::assign(&state.store, request).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "event": event })))
}
