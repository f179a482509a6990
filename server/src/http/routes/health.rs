//! `GET /healthz`: the server answers and its store can be read.

use actix_web::{HttpResponse, web};

use crate::http::AppState;
use crate::http::error::ApiError;

pub async fn healthz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state.counties.health().await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": "ok" })))
}
