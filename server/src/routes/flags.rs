//! `GET /v1/flags`: the flags in the caller's scope, filtered by kind, village, township and week.

use actix_web::{HttpRequest, HttpResponse, web};
use sync_protocol::wire::flags::{FlagQuery, MAX_FLAGS_PER_PAGE};
use sync_protocol::wire::page_size;

use crate::app::AppState;
use crate::auth::Principal;
use crate::error::ApiError;

pub async fn flags(state: web::Data<AppState>, principal: Principal, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let query = web::Query::<FlagQuery>::from_query(req.query_string()).map_err(|e| ApiError::MalformedRequest(e.to_string()))?;
    page_size(query.limit, MAX_FLAGS_PER_PAGE, MAX_FLAGS_PER_PAGE).map_err(|e| ApiError::MalformedRequest(e.to_string()))?;
    let scope = principal.scope;
    let list = state.store.read(move |conn| crate::store::flag_list::list(conn, &scope, &query)).await?;
    crate::reply::json(&req, &list)
}
