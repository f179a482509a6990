//! `POST /v1/sync`: the one round trip of DESIGN.md.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::app::AppState;
use crate::auth::Principal;
use crate::error::ApiError;

pub async fn sync(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let request = crate::body::json(&req, payload, state.max_body_bytes).await?;
    Ok(HttpResponse::Ok().json(crate::sync::sync(&state.store, principal, request).await?))
}
