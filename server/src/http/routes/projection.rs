//! `GET /v1/projection`: the fold of every event in the caller's scope, as the server sees it.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::principal::Principal;

pub async fn projection(state: web::Data<AppState>, principal: Principal, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    crate::http::reply::json(
        &req,
        &crate::service::projection::of_scope(&*state.services.store, &principal.scope, principal.user.role).await?,
    )
}
