//! `GET /v1/audit/townships` (the per-township comparison of a week) and `GET /v1/audit/integrity`
//! (re-hash every event, walk every chain): for the county section and commissioners only.
//! `GET /v1/audit/checkpoint` and `GET /v1/audit/consistency` (the tamper-evident log's signed
//! checkpoint and consistency proofs): for the county auditor only.

use actix_web::{HttpRequest, HttpResponse};

use super::query;
use crate::http::county::County;
use crate::http::error::ApiError;
use crate::http::principal::Principal;
use crate::http::reply::json;
use crate::service::reports::audience::Audience;
use crate::service::reports::audit;

pub async fn townships(county: County, principal: Principal, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let audience = Audience::county(&principal)?;
    json(&req, &audit::townships(&county, &audience, query(&req)?).await?)
}

pub async fn integrity(county: County, principal: Principal, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Audience::county(&principal)?;
    json(&req, &audit::integrity(&county).await?)
}

pub async fn checkpoint(county: County, principal: Principal, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Audience::county_auditor(&principal)?;
    json(&req, &audit::checkpoint(&county).await?)
}

pub async fn consistency(county: County, principal: Principal, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Audience::county_auditor(&principal)?;
    json(&req, &audit::consistency(&county, query(&req)?).await?)
}
