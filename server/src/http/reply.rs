//! JSON replies, compressed when it pays: a reply of at least 1 KiB is sent with zstd or gzip if
//! the client accepts it; smaller ones go as they are. Compression contexts are kept per thread,
//! since making one per reply costs more than compressing a small reply. A reply past 1 MiB (a
//! county's week of ledger is 12 MB) is compressed with zstd as it is serialised, so it is never
//! held whole uncompressed.

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

/// Replies past this size are compressed (zstd) as they are serialised, this much at a time.
const STREAMED_FROM_BYTES: usize = 1 << 20;

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
    written(req, |out| serde_json::to_writer(out, value))
}

/// The JSON that `write` writes as a reply with status 200, compressed as the request accepts:
/// for a reply written in parts (the ledger's kept rows), streamed into zstd as [`json`]'s is.
pub fn written(req: &HttpRequest, write: impl FnOnce(&mut dyn Write) -> Result<(), serde_json::Error>) -> Result<HttpResponse, ApiError> {
    let accepts = req.headers().get(ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mut reply = HttpResponse::Ok();
    reply.insert_header((CONTENT_TYPE, "application/json")).insert_header((VARY, "accept-encoding"));
    let mut out = Spill { body: Vec::new(), zstd: None, may_stream: accepts.contains("zstd") };
    write(&mut out).map_err(ApiError::Reply)?;
    let body = match out.zstd.take() {
        Some(mut zstd) => {
            let compressed =
                zstd.write_all(&out.body).and_then(|()| zstd.finish()).map_err(|e| ApiError::Reply(serde_json::Error::io(e)))?;
            return Ok(reply.insert_header((CONTENT_ENCODING, "zstd")).body(compressed));
        }
        None => out.body,
    };
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

/// Where a reply is serialised: a buffer, which past [`STREAMED_FROM_BYTES`] (when the client
/// takes zstd) becomes the input of a zstd stream, fed and emptied each time it fills again.
struct Spill {
    body: Vec<u8>,
    zstd: Option<zstd::stream::write::Encoder<'static, Vec<u8>>>,
    may_stream: bool,
}

impl Write for Spill {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.body.extend_from_slice(data);
        if self.body.len() >= STREAMED_FROM_BYTES && self.may_stream {
            if self.zstd.is_none() {
                self.zstd = Some(zstd::stream::write::Encoder::new(Vec::with_capacity(self.body.len() / 4), REPLY_ZSTD_LEVEL)?);
            }
            if let Some(zstd) = &mut self.zstd {
                zstd.write_all(&self.body)?;
                self.body.clear();
            }
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    async fn decoded(accept: &str, value: &serde_json::Value) -> (Option<String>, serde_json::Value) {
        let req = TestRequest::default().insert_header((ACCEPT_ENCODING, accept)).to_http_request();
        let reply = json(&req, value).expect("a reply");
        let encoding = reply.headers().get(CONTENT_ENCODING).map(|v| v.to_str().unwrap_or("?").to_string());
        let bytes = actix_web::body::to_bytes(reply.into_body()).await.expect("the body");
        let plain = match encoding.as_deref() {
            Some("zstd") => zstd::decode_all(&bytes[..]).expect("zstd"),
            Some("gzip") => {
                let mut out = Vec::new();
                std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut out).expect("gzip");
                out
            }
            _ => bytes.to_vec(),
        };
        (encoding, serde_json::from_slice(&plain).expect("JSON"))
    }

    #[tokio::test]
    async fn a_reply_reads_back_as_its_value_small_large_streamed_or_not() {
        let rows: Vec<String> = (0..40_000).map(|i| format!("row {i} of a large reply, past the size streamed")).collect();
        let large = serde_json::json!({ "rows": rows });
        let small = serde_json::json!({ "rows": ["one"] });
        assert!(serde_json::to_vec(&large).expect("json").len() > 2 * STREAMED_FROM_BYTES);
        for (accept, value, expected) in
            [("zstd, gzip", &large, Some("zstd")), ("gzip", &large, Some("gzip")), ("", &large, None), ("zstd", &small, None)]
        {
            let (encoding, back) = decoded(accept, value).await;
            assert_eq!(encoding.as_deref(), expected, "{accept}");
            assert_eq!(&back, value, "{accept}");
        }
    }
}
