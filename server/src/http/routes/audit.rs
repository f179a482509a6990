//! `GET /v1/audit/townships` (the per-township comparison of a week) and `GET /v1/audit/integrity`
//! (re-hash every event, walk every chain): for the county section and commissioners only.
//! `GET /v1/audit/checkpoint` and `GET /v1/audit/consistency` (the tamper-evident log's signed
//! checkpoint and consistency proofs): for the county auditor only.

use actix_web::{HttpRequest, HttpResponse, web};

use super::query;
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::principal::Principal;
use crate::http::reply::json;
use crate::service::reports::audience::Audience;
use crate::service::reports::audit;

pub async fn townships(state: web::Data<AppState>, principal: Principal, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let audience = Audience::county(&principal)?;
    json(&req, &audit::townships(&state.services, &audience, query(&req)?).await?)
}

pub async fn integrity(state: web::Data<AppState>, principal: Principal, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Audience::county(&principal)?;
    json(&req, &audit::integrity(&state.services).await?)
}

pub async fn checkpoint(state: web::Data<AppState>, principal: Principal, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Audience::county_auditor(&principal)?;
    json(&req, &audit::checkpoint(&state.services).await?)
}

pub async fn consistency(state: web::Data<AppState>, principal: Principal, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Audience::county_auditor(&principal)?;
    json(&req, &audit::consistency(&state.services, query(&req)?).await?)
}
