//! `GET /v1/projection`: the fold of every event in the caller's scope, as the server sees it;
//! `GET /v1/office`: the same without the villages' buckets (reference data, cases, tips).

use actix_web::{HttpRequest, HttpResponse};

use crate::http::county::County;
use crate::http::error::ApiError;
use crate::http::principal::Principal;

pub async fn projection(county: County, principal: Principal, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    crate::http::reply::json(&req, &crate::service::projection::of_scope(&*county.store, &principal.scope, principal.user.role).await?)
}

pub async fn office(county: County, principal: Principal, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    crate::http::reply::json(&req, &crate::service::projection::office(&*county.store, &principal.scope, principal.user.role).await?)
}
