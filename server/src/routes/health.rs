//! `GET /healthz`: the server answers and its store can be read.

use actix_web::{HttpResponse, web};

use crate::app::AppState;
use crate::error::ApiError;

pub async fn healthz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state.store.read(|conn| Ok(conn.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": "ok" })))
}
