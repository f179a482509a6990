//! `GET /v1/cases` (filters: township, stage, overdue, conflict; paged by `before` and `limit`)
//! and `GET /v1/cases/{id}`: the cases in the caller's scope, each with its heads and the steps the
//! caller may take; one with every step. A case outside the scope is not found, as one that does
//! not exist.

use actix_web::{HttpRequest, HttpResponse, web};
use sync_protocol::ids::EventId;
use sync_protocol::wire::cases::CaseQuery;

use crate::http::county::County;
use crate::http::error::ApiError;
use crate::http::principal::Principal;

pub async fn list(county: County, principal: Principal, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let version = crate::http::reply::protocol(&req)?;
    let query: CaseQuery = super::query(&req)?;
    let cases = crate::service::cases::cases(&county, &principal, &query).await?;
    crate::http::reply::versioned(&req, version, cases)
}

pub async fn show(county: County, principal: Principal, path: web::Path<String>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let version = crate::http::reply::protocol(&req)?;
    let id: EventId = path.parse().map_err(|e: sync_protocol::ValidationError| ApiError::MalformedRequest(e.to_string()))?;
    let detail = crate::service::cases::case(&county, &principal, id).await?;
    crate::http::reply::versioned(&req, version, detail)
}
