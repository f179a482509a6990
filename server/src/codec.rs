//! Request bodies once their bytes are in, pure: the content type checked (JSON only), the
//! content encoding (none, gzip or zstd) undone with the output capped (no decompression bombs),
//! then strict JSON. No HTTP here, so that the fuzz targets drive exactly what the routes run.

use serde::de::DeserializeOwned;
use std::cell::RefCell;
use std::io::Read;

/// Why a body was refused.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("request body larger than {0} bytes")]
    TooLarge(usize),
    #[error("unsupported content encoding {0:?}: use gzip, zstd or none")]
    UnsupportedEncoding(String),
    #[error("{0}")]
    Malformed(String),
}

/// Whether a `Content-Type` value is JSON: `application/json`, in any case, with at most a UTF-8
/// `charset` parameter (quoted or not). Everything else, an empty or missing value included, is
/// refused with 415 before the body is read: a form or `text/plain` body is not JSON sent by
/// mistake, and a browser may send those across origins without asking.
pub fn is_json_content_type(value: Option<&[u8]>) -> bool {
    let Some(text) = value.and_then(|v| std::str::from_utf8(v).ok()) else { return false };
    let mut parts = text.split(';');
    let essence = parts.next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
        && parts.map(str::trim).filter(|p| !p.is_empty()).all(|param| {
            let (name, value) = param.split_once('=').unwrap_or((param, ""));
            let value = value.trim();
            let value = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value);
            name.trim().eq_ignore_ascii_case("charset") && value.eq_ignore_ascii_case("utf-8")
        })
}

/// Decompresses `raw` as `encoding` says and parses it strictly as JSON: what a route does with
/// a body once its bytes are in. Pure, so that it can be fuzzed without HTTP.
pub fn decode_json<T: DeserializeOwned>(encoding: Option<&str>, raw: &[u8], limit: usize) -> Result<T, BodyError> {
    let bytes = decode(encoding, raw, limit)?;
    serde_json::from_slice(&bytes).map_err(|e| BodyError::Malformed(e.to_string()))
}

/// Undoes the body's `Content-Encoding` (none, `identity`, `gzip` or `zstd`) with the output
/// capped at `limit` bytes.
pub fn decode(encoding: Option<&str>, raw: &[u8], limit: usize) -> Result<Vec<u8>, BodyError> {
    if raw.len() > limit {
        return Err(BodyError::TooLarge(limit));
    }
    match encoding {
        None | Some("identity") => Ok(raw.to_vec()),
        Some("gzip") => inflate(flate2::read::GzDecoder::new(raw), raw.len(), limit),
        Some("zstd") => unzstd(raw, limit),
        Some(other) => Err(BodyError::UnsupportedEncoding(other.chars().take(40).collect())),
    }
}

thread_local! {
    /// A zstd context and a buffer of the body limit, kept per thread: making them for every
    /// request costs megabytes of freshly zeroed memory each time.
    static UNZSTD: RefCell<Option<(zstd::bulk::Decompressor<'static>, Vec<u8>)>> = const { RefCell::new(None) };
}

/// Decompresses a zstd body into at most `limit` bytes; more is a bomb or an oversize body.
fn unzstd(raw: &[u8], limit: usize) -> Result<Vec<u8>, BodyError> {
    UNZSTD.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.as_ref().is_none_or(|(_, buffer)| buffer.capacity() < limit + 1) {
            let decompressor = zstd::bulk::Decompressor::new().map_err(|e| BodyError::Malformed(format!("zstd: {e}")))?;
            *slot = Some((decompressor, Vec::with_capacity(limit + 1)));
        }
        let Some((decompressor, buffer)) = slot.as_mut() else { return Err(BodyError::Malformed("zstd: no context".into())) };
        buffer.clear();
        match decompressor.decompress_to_buffer(raw, buffer) {
            Ok(n) if n <= limit => Ok(buffer[..n].to_vec()),
            Ok(_) => Err(BodyError::TooLarge(limit)),
            // The buffer holds one byte more than the limit, so a body that does not fit is too
            // large; which of the two it is, a bounded stream read tells (only on this path).
            Err(_) if zstd_exceeds(raw, limit) => Err(BodyError::TooLarge(limit)),
            Err(e) => Err(BodyError::Malformed(format!("cannot decompress the body: {e}"))),
        }
    })
}

/// Whether the zstd stream `raw` decompresses to more than `limit` bytes before it ends or breaks;
/// reads at most `limit + 1` bytes of output.
fn zstd_exceeds(raw: &[u8], limit: usize) -> bool {
    let Ok(decoder) = zstd::stream::read::Decoder::new(raw) else { return false };
    let mut decoder = decoder.take(limit as u64 + 1);
    let (mut chunk, mut total) = (vec![0u8; 64 * 1024], 0usize);
    loop {
        match decoder.read(&mut chunk) {
            Ok(0) | Err(_) => return total > limit,
            Ok(n) => total += n,
        }
    }
}

/// Decompresses at most `limit` bytes; more is a bomb or an oversize body.
fn inflate(decoder: impl Read, compressed_len: usize, limit: usize) -> Result<Vec<u8>, BodyError> {
    let mut out = Vec::with_capacity(compressed_len.saturating_mul(6).min(limit));
    decoder.take(limit as u64 + 1).read_to_end(&mut out).map_err(|e| BodyError::Malformed(format!("cannot decompress the body: {e}")))?;
    if out.len() > limit {
        return Err(BodyError::TooLarge(limit));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zstd_body_past_the_limit_is_too_large_and_a_broken_one_malformed() {
        let big = zstd::bulk::compress(&vec![b'a'; 10_000], 3).expect("compress");
        assert!(matches!(decode(Some("zstd"), &big, 9_999), Err(BodyError::TooLarge(9_999))));
        assert_eq!(decode(Some("zstd"), &big, 10_000).expect("fits").len(), 10_000);
        let mut broken = big.clone();
        broken.truncate(big.len() / 2);
        assert!(matches!(decode(Some("zstd"), &broken, 100_000), Err(BodyError::Malformed(_))));
        assert!(matches!(decode(Some("zstd"), b"not zstd at all", 100), Err(BodyError::Malformed(_))));
    }

    #[test]
    fn only_json_is_json() {
        let json = ["application/json", "application/json; charset=utf-8", "Application/JSON;Charset=\"UTF-8\"", "application/json;"];
        for t in json {
            assert!(is_json_content_type(Some(t.as_bytes())), "{t}");
        }
        let not = [
            "",
            "text/plain",
            "text/plain; charset=utf-8",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/jsonx",
            "application/json-seq",
            "application/json; charset=latin1",
            "application/json; boundary=x",
            "application/json, text/plain",
        ];
        for t in not {
            assert!(!is_json_content_type(Some(t.as_bytes())), "{t}");
        }
        assert!(!is_json_content_type(None));
        assert!(!is_json_content_type(Some(b"application/json\xff")));
    }
}
