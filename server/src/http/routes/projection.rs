//! `GET /v1/projection`: the fold of every event in the caller's scope, as the server sees it;
//! `GET /v1/office`: the same without the villages' buckets (reference data, cases, tips).

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

pub async fn office(state: web::Data<AppState>, principal: Principal, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    crate::http::reply::json(
        &req,
        &crate::service::projection::office(&*state.services.store, &principal.scope, principal.user.role).await?,
    )
}
