//! `GET /v1/patrols/{id}`: a patrol's recording event as stored (its track, hash and signature),
//! its amendments and the enrolled key of each device that signed them, for the console's patrol
//! page, which checks every signature itself; 404 outside the caller's scope, as if it did not exist.

use actix_web::{HttpRequest, HttpResponse, web};
use sync_protocol::ids::EventId;

use crate::http::county::County;
use crate::http::error::ApiError;
use crate::http::principal::Principal;

pub async fn patrol(county: County, principal: Principal, req: HttpRequest, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id: EventId = id.parse().map_err(|_| ApiError::NotFound)?;
    let record = crate::service::patrols::patrol(&county, &principal, id).await?;
    crate::http::reply::json(&req, &record)
}
