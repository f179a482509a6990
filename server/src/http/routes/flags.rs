//! `GET /v1/flags`: the flags in the caller's scope, filtered by kind, village, township and week.

use actix_web::{HttpRequest, HttpResponse, web};
use sync_protocol::wire::flags::FlagQuery;

use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::principal::Principal;

pub async fn flags(state: web::Data<AppState>, principal: Principal, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let query: FlagQuery = super::query(&req)?;
    let list = crate::service::reports::flags(&*state.services.store, principal.scope, query).await?;
    crate::http::reply::json(&req, &list)
}
