//! `POST /v1/sync`: the one round trip of DESIGN.md, answered in the protocol version the device
//! names (`sync_protocol::wire::version`).

use actix_web::http::header::{CONTENT_LENGTH, HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use sync_protocol::wire::version::{HEADER, negotiate};

use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::principal::Principal;
use crate::store::StoreError;

/// Bodies above this many bytes (as sent) count as large pushes.
const LARGE_BODY: usize = 64 * 1024;

pub async fn sync(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let version =
        negotiate(req.headers().get(HEADER).map(|v| v.to_str().unwrap_or("?"))).map_err(|e| ApiError::MalformedRequest(e.to_string()))?;
    // Large pushes take a turn before their body is read, so memory stays bounded.
    let large = req.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok()).is_none_or(|n| n > LARGE_BODY);
    let _turn = if large { Some(state.syncs.acquire().await.map_err(|_| ApiError::Unavailable(StoreError::WriterGone))?) } else { None };
    let request = crate::http::body::json(&req, payload, state.max_body_bytes, state.body_timeout).await?;
    let reply = crate::service::sync::sync(&state.services, principal, request).await?.for_version(version);
    let mut response = crate::http::reply::json(&req, &reply)?;
    response.headers_mut().insert(HeaderName::from_static(HEADER), HeaderValue::from(version));
    Ok(response)
}
