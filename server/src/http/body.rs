//! Reading a request body at the edge: refuse what is too large before reading it all, within a
//! time limit, then decode it (`crate::codec`: decompression capped, strict JSON).

use actix_web::HttpRequest;
use actix_web::http::header::{CONTENT_ENCODING, CONTENT_LENGTH};
use actix_web::web::{BytesMut, Payload};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use std::time::Duration;

use super::error::ApiError;

/// Reads, decompresses and parses a JSON body of at most `limit` bytes (before and after
/// decompression) that arrives within `timeout` (a client trickling its body is cut off).
pub async fn json<T: DeserializeOwned>(req: &HttpRequest, payload: Payload, limit: usize, timeout: Duration) -> Result<T, ApiError> {
    let raw = tokio::time::timeout(timeout, read_raw(req, payload, limit)).await.map_err(|_| ApiError::RequestTimeout)??;
    Ok(crate::codec::decode_json(encoding(req).as_deref(), &raw, limit)?)
}

/// Reads a body as sent (no decompression), of at most `limit` bytes, within `timeout`: a file
/// upload such as a roster.
pub async fn bytes(req: &HttpRequest, payload: Payload, limit: usize, timeout: Duration) -> Result<Vec<u8>, ApiError> {
    if encoding(req).is_some_and(|e| e != "identity") {
        return Err(ApiError::UnsupportedEncoding(encoding(req).unwrap_or_default()));
    }
    let raw = tokio::time::timeout(timeout, read_raw(req, payload, limit)).await.map_err(|_| ApiError::RequestTimeout)??;
    Ok(raw.to_vec())
}

/// The request's `Content-Encoding`, trimmed and in lower case (`"?"` when it is not text).
pub fn encoding(req: &HttpRequest) -> Option<String> {
    req.headers().get(CONTENT_ENCODING).map(|v| v.to_str().unwrap_or("?").trim().to_ascii_lowercase())
}

/// Reads the body as sent, refusing it as soon as it is known to be over `limit`: from its
/// `Content-Length` before any byte is read, else when the bytes received pass the limit.
async fn read_raw(req: &HttpRequest, mut payload: Payload, limit: usize) -> Result<BytesMut, ApiError> {
    let declared = req.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(ApiError::PayloadTooLarge(limit));
    }
    let mut raw = BytesMut::with_capacity(declared.unwrap_or(8 * 1024));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::MalformedRequest(format!("reading the body: {e}")))?;
        if raw.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge(limit));
        }
        raw.extend_from_slice(&chunk);
    }
    Ok(raw)
}
