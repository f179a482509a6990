//! `GET /v1/projection`: the fold of every event in the caller's scope, as the server sees it.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::app::AppState;
use crate::auth::Principal;
use crate::error::ApiError;

pub async fn projection(state: web::Data<AppState>, principal: Principal, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    crate::reply::json(&req, &crate::projection::of_scope(&state.store, &principal.scope, principal.user.role).await?)
}
