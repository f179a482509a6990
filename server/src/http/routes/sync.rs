//! `POST /v1/sync`: the one round trip of DESIGN.md, answered in the protocol version the device
//! names (`sync_protocol::wire::version`).

use actix_web::http::header::CONTENT_LENGTH;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::http::AppState;
use crate::http::body::JsonBody;
use crate::http::county::county_of;
use crate::http::error::ApiError;
use crate::http::principal::authenticate;
use crate::store::StoreError;

/// Bodies above this many bytes (as sent) count as large pushes.
const LARGE_BODY: usize = crate::http::body::MEANWHILE_BYTES;

/// The token is checked, and a large push waits for its turn, while the body's first bytes are
/// read (`JsonBody::meanwhile`): a body broken in them is answered 400 at once.
pub async fn sync(state: web::Data<AppState>, req: HttpRequest, payload: web::Payload) -> Result<HttpResponse, ApiError> {
    let version = crate::http::reply::protocol(&req)?;
    let mut body = JsonBody::new(payload, state.max_body_bytes);
    let principal = body.meanwhile(authenticate(&req)).await??;
    // The caller's county, found by `authenticate` and kept in the request.
    let county = county_of(&req)?;
    body.check(&req)?;
    // Large pushes take a turn before the rest of their body is read, so memory stays bounded.
    let large = req.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok()).is_none_or(|n| n > LARGE_BODY);
    let _turn = if large {
        Some(body.meanwhile(state.syncs.acquire()).await?.map_err(|_| ApiError::Unavailable(StoreError::WriterGone))?)
    } else {
        None
    };
    let request = body.parse(&req, state.body_timeout).await?;
    let reply = crate::service::sync::sync(&county, principal, request).await?;
    crate::http::reply::versioned(&req, version, reply)
}
