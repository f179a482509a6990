//! `GET /v1/audit/townships` (the per-township comparison of a week) and `GET /v1/audit/integrity`
//! (re-hash every event, walk every chain): for the county section and commissioners only.
//! `GET /v1/audit/checkpoint` and `GET /v1/audit/consistency` (the tamper-evident log's signed
//! checkpoint and consistency proofs): for the county auditor only.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::app::AppState;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::reports::audience::Audience;
use crate::reports::compliance;
use crate::store::merkle::proofs;
use sync_protocol::wire::audit::ConsistencyQuery;

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

pub async fn checkpoint(state: web::Data<AppState>, principal: Principal, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Audience::county_auditor(&principal)?;
    let reply = state.store.writer().run(|ctx| ctx.checkpoint_reply()).await?;
    crate::reply::json(&req, &reply)
}

pub async fn consistency(state: web::Data<AppState>, principal: Principal, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Audience::county_auditor(&principal)?;
    let q = web::Query::<ConsistencyQuery>::from_query(req.query_string()).map_err(|e| ApiError::MalformedRequest(e.to_string()))?;
    if q.from > q.to {
        return Err(ApiError::MalformedRequest(format!("from ({}) is after to ({})", q.from, q.to)));
    }
    let q = q.into_inner();
    let reply = state.store.read(move |conn| proofs::consistency(conn, q)).await?;
    crate::reply::json(&req, &reply)
}
