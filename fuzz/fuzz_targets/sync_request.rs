//! Fuzzes the body of `POST /v1/sync` as the route decodes it: the content encoding (none, gzip
//! or zstd, chosen by the first byte), the size limit before and after decompression, strict JSON
//! into `SyncRequest`, and the request's own limits (events per push, page size).
#![no_main]

use libfuzzer_sys::fuzz_target;
use patrolsync_server::codec as body;
use sync_protocol::wire::SyncRequest;

/// A small limit, so that inputs the fuzzer can reach also cross it.
const LIMIT: usize = 64 * 1024;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, raw)) = data.split_first() else { return };
    let encoding = match mode % 4 {
        0 => None,
        1 => Some("gzip"),
        2 => Some("zstd"),
        _ => Some("identity"),
    };
    if let Ok(bytes) = body::decode(encoding, raw, LIMIT) {
        assert!(bytes.len() <= LIMIT, "decompressed past the limit: {} bytes", bytes.len());
    }
    if let Ok(request) = body::decode_json::<SyncRequest>(encoding, raw, LIMIT) {
        let _ = patrolsync_server::service::sync::check_limits(&request);
        // What was accepted is a valid request once written back.
        let text = serde_json::to_vec(&request).expect("a parsed request serialises");
        let again: SyncRequest = serde_json::from_slice(&text).expect("a written request parses");
        assert_eq!(again.events.len(), request.events.len());
        assert_eq!(again.cursors, request.cursors);
    }
});
