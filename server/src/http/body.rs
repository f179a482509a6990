//! Reading a request body at the edge: refuse what is declared too large or is not JSON from the
//! head, read it within a time limit, then decode it (`crate::codec`: decompression capped,
//! strict JSON).
//!
//! A body is also read while its handler awaits anything else (the token check, a turn), up to
//! [`MEANWHILE_BYTES`]: actix-http treats a bad chunk size as a dropped connection and closes it
//! at once, so a body found broken while nobody reads it would get no answer at all. Read, the
//! error reaches the handler in the same turn and is answered `400` with the JSON error.

use actix_web::HttpRequest;
use actix_web::error::PayloadError;
use actix_web::http::header::{CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE};
use actix_web::web::{Bytes, BytesMut, Payload};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use std::future::Future;
use std::time::Duration;

use super::error::ApiError;

/// The most bytes of a body read while its handler awaits something else: the size under which a
/// push needs no turn, so a push waiting for its turn holds no more than a small one.
pub const MEANWHILE_BYTES: usize = 64 * 1024;

/// A JSON request body on its way in.
pub struct JsonBody {
    payload: Payload,
    read: BytesMut,
    ended: bool,
    limit: usize,
}

impl JsonBody {
    /// A body of at most `limit` bytes (before and after decompression), nothing read yet.
    pub fn new(payload: Payload, limit: usize) -> JsonBody {
        JsonBody { payload, read: BytesMut::new(), ended: false, limit }
    }

    /// Refuses the body from the request's head alone: a declared length over the limit (413),
    /// then a `Content-Type` other than JSON (415). Nothing more is read.
    pub fn check(&self, req: &HttpRequest) -> Result<(), ApiError> {
        let declared = req.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
        if declared.is_some_and(|n| n > self.limit) {
            return Err(ApiError::PayloadTooLarge(self.limit));
        }
        let content_type = req.headers().get(CONTENT_TYPE).map(|v| v.as_bytes());
        if !crate::codec::is_json_content_type(content_type) {
            let shown = content_type.map(|v| String::from_utf8_lossy(v).chars().take(60).collect()).unwrap_or_default();
            return Err(ApiError::UnsupportedMediaType(shown));
        }
        Ok(())
    }

    /// Awaits `work` while reading the body, up to [`MEANWHILE_BYTES`] of it: a body that breaks
    /// meanwhile is refused at once, before `work` ends.
    pub async fn meanwhile<T>(&mut self, work: impl Future<Output = T>) -> Result<T, ApiError> {
        let mut work = std::pin::pin!(work);
        while !self.ended && self.read.len() < MEANWHILE_BYTES {
            tokio::select! {
                biased;
                out = &mut work => return Ok(out),
                chunk = self.payload.next() => self.take(chunk)?,
            }
        }
        Ok(work.await)
    }

    /// Reads the rest of the body within `timeout` (a client trickling it is cut off), then
    /// decompresses and parses it.
    pub async fn parse<T: DeserializeOwned>(self, req: &HttpRequest, timeout: Duration) -> Result<T, ApiError> {
        let limit = self.limit;
        let read = self.rest(timeout).await?;
        Ok(crate::codec::decode_json(encoding(req).as_deref(), &read, limit)?)
    }

    /// Reads the rest of the body within `timeout`, as sent (not decompressed).
    async fn rest(mut self, timeout: Duration) -> Result<BytesMut, ApiError> {
        let rest = async {
            while !self.ended {
                let chunk = self.payload.next().await;
                self.take(chunk)?;
            }
            Ok::<_, ApiError>(())
        };
        tokio::time::timeout(timeout, rest).await.map_err(|_| ApiError::RequestTimeout)??;
        Ok(self.read)
    }

    /// Keeps a piece of the body, refusing it as soon as the bytes received pass the limit.
    fn take(&mut self, chunk: Option<Result<Bytes, PayloadError>>) -> Result<(), ApiError> {
        match chunk {
            None => self.ended = true,
            Some(Err(e)) => return Err(ApiError::MalformedRequest(format!("reading the body: {e}"))),
            Some(Ok(bytes)) if self.read.len() + bytes.len() > self.limit => return Err(ApiError::PayloadTooLarge(self.limit)),
            Some(Ok(bytes)) => self.read.extend_from_slice(&bytes),
        }
        Ok(())
    }
}

/// Checks, reads, decompresses and parses a JSON body of at most `limit` bytes that arrives
/// within `timeout`: [`JsonBody`] for a handler that awaits nothing else first.
pub async fn json<T: DeserializeOwned>(req: &HttpRequest, payload: Payload, limit: usize, timeout: Duration) -> Result<T, ApiError> {
    let body = JsonBody::new(payload, limit);
    body.check(req)?;
    body.parse(req, timeout).await
}

/// Reads a body as sent (no decompression), of at most `limit` bytes, within `timeout`: a file
/// upload such as a roster.
pub async fn bytes(req: &HttpRequest, payload: Payload, limit: usize, timeout: Duration) -> Result<Vec<u8>, ApiError> {
    if encoding(req).is_some_and(|e| e != "identity") {
        return Err(ApiError::UnsupportedEncoding(encoding(req).unwrap_or_default()));
    }
    let declared = req.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(ApiError::PayloadTooLarge(limit));
    }
    Ok(JsonBody::new(payload, limit).rest(timeout).await?.to_vec())
}

/// The request's `Content-Encoding`, trimmed and in lower case (`"?"` when it is not text).
pub fn encoding(req: &HttpRequest) -> Option<String> {
    req.headers().get(CONTENT_ENCODING).map(|v| v.to_str().unwrap_or("?").trim().to_ascii_lowercase())
}
