//! `POST /v1/auth/login`.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::app::AppState;
use crate::error::ApiError;

pub async fn login(state: web::Data<AppState>, req: HttpRequest, payload: web::Payload) -> Result<HttpResponse, ApiError> {
    let request = crate::body::json(&req, payload, 16 * 1024, state.body_timeout).await?;
    Ok(HttpResponse::Ok().json(crate::login::login(&state, request).await?))
}
