//! `GET /v1/audit/townships` (the per-township comparison of a week) and `GET /v1/audit/integrity`
//! (re-hash every event, walk every chain): for the county section and commissioners only.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::app::AppState;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::reports::audience::Audience;
use crate::reports::compliance;

pub async fn townships(state: web::Data<AppState>, principal: Principal, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let audience = Audience::county(&principal)?;
    let q: compliance::ComplianceQuery = web::Query::<compliance::ComplianceQuery>::from_query(req.query_string())
        .map_err(|e| ApiError::MalformedRequest(e.to_string()))?
        .into_inner();
    let now = chrono::Utc::now().timestamp_millis();
    let report = compliance::report(&state.store, &audience, q, &state.reports.compliance, now).await?;
    crate::reply::json(&req, &compliance::TownshipComparison::from(report))
}

pub async fn integrity(state: web::Data<AppState>, principal: Principal, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Audience::county(&principal)?;
    let report = state.store.read(crate::store::integrity::check).await?;
    crate::reply::json(&req, &report)
}
