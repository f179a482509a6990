//! `POST /v1/deployment/login` (a city or province official's token) and `GET /v1/rollups` (their
//! week by county): see `crate::service::officials` and `crate::service::rollups`.

use actix_web::{HttpRequest, HttpResponse, web};

use super::{auth_limit, query};
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::official::Official;
use crate::service::rollups;

/// The largest login body, bytes.
const MAX_BODY: usize = 16 * 1024;

/// An official's credentials.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficialCredentials {
    username: String,
    password: String,
}

pub async fn login(state: web::Data<AppState>, req: HttpRequest, payload: web::Payload) -> Result<HttpResponse, ApiError> {
    auth_limit(&state, &req)?;
    let request: OfficialCredentials = crate::http::body::json(&req, payload, MAX_BODY, state.body_timeout).await?;
    Ok(HttpResponse::Ok().json(state.deployment().login(&request.username, request.password).await?))
}

pub async fn rollups(state: web::Data<AppState>, official: Official, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let rollups = rollups::rollups(&state.counties, &official, query(&req)?, state.clock.now_ms()).await?;
    crate::http::reply::json(&req, &rollups)
}
