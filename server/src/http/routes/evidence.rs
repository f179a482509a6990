//! `GET /v1/evidence/missing`: attachments in the caller's scope whose bytes have not reached the
//! server, for the ledger and the township reconciliation view.

use actix_web::{HttpRequest, HttpResponse};
use sync_protocol::wire::evidence::{MAX_MISSING_PER_PAGE, MissingQuery};
use sync_protocol::wire::page_size;

use crate::http::county::County;
use crate::http::error::ApiError;
use crate::http::principal::Principal;

pub async fn missing(county: County, principal: Principal, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let query: MissingQuery = super::query(&req)?;
    page_size(query.limit, MAX_MISSING_PER_PAGE, MAX_MISSING_PER_PAGE).map_err(|e| ApiError::MalformedRequest(e.to_string()))?;
    let list = crate::service::evidence::missing(&county, principal.scope, query).await?;
    crate::http::reply::json(&req, &list)
}
