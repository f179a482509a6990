//! `GET /v1/flags`: the flags in the caller's scope, filtered by kind, village, township and week.

use actix_web::{HttpRequest, HttpResponse};
use sync_protocol::wire::flags::FlagQuery;

use crate::http::county::County;
use crate::http::error::ApiError;
use crate::http::principal::Principal;

pub async fn flags(county: County, principal: Principal, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let query: FlagQuery = super::query(&req)?;
    let list = crate::service::reports::flags(&*county.store, principal.scope, query).await?;
    crate::http::reply::json(&req, &list)
}
