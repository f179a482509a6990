//! JSON replies, compressed when it pays: a reply of at least 1 KiB is sent with zstd or gzip if
//! the client accepts it; smaller ones go as they are. Compression contexts are kept per thread,
//! since making one per reply costs more than compressing a small reply.

use actix_web::http::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE, HeaderName, HeaderValue, VARY};
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use std::cell::RefCell;
use std::io::Write;
use sync_protocol::wire::version::{HEADER, Versioned, negotiate};

use super::error::ApiError;

/// zstd level for replies: level 1 compresses about twice as fast as 3 and, on event pages,
/// within a few percent as small.
const REPLY_ZSTD_LEVEL: i32 = 1;

/// Replies smaller than this are not compressed.
const MIN_COMPRESSED_BYTES: usize = 1024;

thread_local! {
    static ZSTD: RefCell<Option<zstd::bulk::Compressor<'static>>> = const { RefCell::new(None) };
}

/// The protocol version to answer `req` in (its `Patrolsync-Protocol` header; none: version 1).
pub fn protocol(req: &HttpRequest) -> Result<u32, ApiError> {
    let named = req.headers().get(HEADER).map(|v| v.to_str().unwrap_or("?"));
    negotiate(named).map_err(|e| ApiError::MalformedRequest(e.to_string()))
}

/// `value` in the shape of protocol `version`, as [`json`], the version named in the reply's header.
pub fn versioned<T: Serialize + Versioned>(req: &HttpRequest, version: u32, value: T) -> Result<HttpResponse, ApiError> {
    let mut response = json(req, &value.for_version(version))?;
    response.headers_mut().insert(HeaderName::from_static(HEADER), HeaderValue::from(version));
    Ok(response)
}

/// `value` as a JSON reply with status 200, compressed as the request accepts.
pub fn json<T: Serialize>(req: &HttpRequest, value: &T) -> Result<HttpResponse, ApiError> {
    let body = serde_json::to_vec(value).map_err(ApiError::Reply)?;
    let accepts = req.headers().get(ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mut reply = HttpResponse::Ok();
    reply.insert_header((CONTENT_TYPE, "application/json")).insert_header((VARY, "accept-encoding"));
    if body.len() < MIN_COMPRESSED_BYTES {
        return Ok(reply.body(body));
    }
    if accepts.contains("zstd")
        && let Some(compressed) = zstd(&body)
    {
        return Ok(reply.insert_header((CONTENT_ENCODING, "zstd")).body(compressed));
    }
    if accepts.contains("gzip") {
        let mut gz = flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 4), flate2::Compression::fast());
        if gz.write_all(&body).is_ok()
            && let Ok(compressed) = gz.finish()
        {
            return Ok(reply.insert_header((CONTENT_ENCODING, "gzip")).body(compressed));
        }
    }
    Ok(reply.body(body))
}

fn zstd(body: &[u8]) -> Option<Vec<u8>> {
    ZSTD.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = zstd::bulk::Compressor::new(REPLY_ZSTD_LEVEL).ok();
        }
        slot.as_mut()?.compress(body).ok()
    })
}
