//! Reading a request body at the edge: refuse what is too large before reading it all, undo
//! gzip or zstd with the decompressed size capped (no decompression bombs), parse strict JSON.

use actix_web::HttpRequest;
use actix_web::http::header::{CONTENT_ENCODING, CONTENT_LENGTH};
use actix_web::web::{BytesMut, Payload};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use std::cell::RefCell;
use std::io::Read;
use std::time::Duration;

use crate::error::ApiError;

/// Reads, decompresses and parses a JSON body of at most `limit` bytes (before and after
/// decompression) that arrives within `timeout` (a client trickling its body is cut off).
pub async fn json<T: DeserializeOwned>(req: &HttpRequest, payload: Payload, limit: usize, timeout: Duration) -> Result<T, ApiError> {
    let raw = tokio::time::timeout(timeout, read_raw(req, payload, limit)).await.map_err(|_| ApiError::RequestTimeout)??;
    decode_json(encoding(req).as_deref(), &raw, limit)
}

/// The request's `Content-Encoding`, trimmed and in lower case (`"?"` when it is not text).
pub fn encoding(req: &HttpRequest) -> Option<String> {
    req.headers().get(CONTENT_ENCODING).map(|v| v.to_str().unwrap_or("?").trim().to_ascii_lowercase())
}

/// Decompresses `raw` as `encoding` says and parses it strictly as JSON: what a route does with
/// a body once its bytes are in. Pure, so that it can be fuzzed without HTTP.
pub fn decode_json<T: DeserializeOwned>(encoding: Option<&str>, raw: &[u8], limit: usize) -> Result<T, ApiError> {
    let bytes = decode(encoding, raw, limit)?;
    serde_json::from_slice(&bytes).map_err(|e| ApiError::MalformedRequest(e.to_string()))
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

/// Undoes the body's `Content-Encoding` (none, `identity`, `gzip` or `zstd`) with the output
/// capped at `limit` bytes.
pub fn decode(encoding: Option<&str>, raw: &[u8], limit: usize) -> Result<Vec<u8>, ApiError> {
    if raw.len() > limit {
        return Err(ApiError::PayloadTooLarge(limit));
    }
    match encoding {
        None | Some("identity") => Ok(raw.to_vec()),
        Some("gzip") => inflate(flate2::read::GzDecoder::new(raw), raw.len(), limit),
        Some("zstd") => unzstd(raw, limit),
        Some(other) => Err(ApiError::UnsupportedEncoding(other.chars().take(40).collect())),
    }
}

thread_local! {
    /// A zstd context and a buffer of the body limit, kept per thread: making them for every
    /// request costs megabytes of freshly zeroed memory each time.
    static UNZSTD: RefCell<Option<(zstd::bulk::Decompressor<'static>, Vec<u8>)>> = const { RefCell::new(None) };
}

/// Decompresses a zstd body into at most `limit` bytes; more is a bomb or an oversize body.
fn unzstd(raw: &[u8], limit: usize) -> Result<Vec<u8>, ApiError> {
    UNZSTD.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.as_ref().is_none_or(|(_, buffer)| buffer.capacity() < limit + 1) {
            let decompressor = zstd::bulk::Decompressor::new().map_err(|e| ApiError::MalformedRequest(format!("zstd: {e}")))?;
            *slot = Some((decompressor, Vec::with_capacity(limit + 1)));
        }
        let Some((decompressor, buffer)) = slot.as_mut() else { return Err(ApiError::MalformedRequest("zstd: no context".into())) };
        buffer.clear();
        match decompressor.decompress_to_buffer(raw, buffer) {
            Ok(n) if n <= limit => Ok(buffer[..n].to_vec()),
            Ok(_) => Err(ApiError::PayloadTooLarge(limit)),
            // The buffer holds one byte more than the limit: a body that does not fit is too large.
            Err(e) if e.to_string().contains("Destination buffer is too small") => Err(ApiError::PayloadTooLarge(limit)),
            Err(e) => Err(ApiError::MalformedRequest(format!("cannot decompress the body: {e}"))),
        }
    })
}

/// Decompresses at most `limit` bytes; more is a bomb or an oversize body.
fn inflate(decoder: impl Read, compressed_len: usize, limit: usize) -> Result<Vec<u8>, ApiError> {
    let mut out = Vec::with_capacity(compressed_len.saturating_mul(6).min(limit));
    decoder
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| ApiError::MalformedRequest(format!("cannot decompress the body: {e}")))?;
    if out.len() > limit {
        return Err(ApiError::PayloadTooLarge(limit));
    }
    Ok(out)
}
