//! Hashes on the blob routes: only 64 lower-case hex digits name a blob; anything else is
//! `400` before any file is touched, and a path that leaves `/v1/blobs/` matches no route (`404`).
//! A canary file beside the store proves nothing outside the blob folder is ever read.

use anyhow::Result;
use patrolsync_tests::raw_http::{Reply, connect, head, read_reply};
use reqwest::Method;
use std::io::Write;
use std::time::Duration;

use super::table::{Case, Fixture, run};

const CANARY: &str = "CANARY-do-not-serve";

fn hash_cases() -> Vec<Case> {
    let upper = "A".repeat(64);
    let mut cases = Vec::new();
    for (class, hash, status, code) in [
        ("upper-case hex", upper.as_str(), 400, "malformed_request"),
        ("63 hex digits", &"a".repeat(63), 400, "malformed_request"),
        ("65 hex digits", &"a".repeat(65), 400, "malformed_request"),
        ("64 non-hex characters", &"g".repeat(64), 400, "malformed_request"),
        ("traversal, percent-encoded slashes", "..%2F..%2Fcanary", 400, "malformed_request"),
        ("traversal, percent-encoded dots and slash", "%2e%2e%2fcanary", 400, "malformed_request"),
        ("traversal, backslashes", "..%5C..%5Ccanary", 400, "malformed_request"),
        ("a NUL byte", "%00", 400, "malformed_request"),
        ("well formed but named by no event", &"0".repeat(64), 404, "not_found"),
    ] {
        cases.push(Case::get(format!("GET blob: {class}"), format!("/v1/blobs/{hash}")).answer(status, code));
        cases.push(Case::new(format!("HEAD blob: {class}"), Method::HEAD, format!("/v1/blobs/{hash}")).answer(status, ""));
        cases.push(Case::new(format!("PUT blob: {class}"), Method::PUT, format!("/v1/blobs/{hash}")).answer(status, code));
    }
    cases
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_hashes_are_refused_and_nothing_outside_the_blob_folder_is_read() -> Result<()> {
    let fx = Fixture::start(&[]).await?;
    std::fs::write(fx.server.dir.path().join("canary"), CANARY)?;
    run(&fx, hash_cases()).await?;
    let port = fx.server.port;
    let auth = format!("authorization: Bearer {}", fx.officer.token.clone().unwrap_or_default());
    let before = fx.snapshot();
    for (path, status) in [
        ("/v1/blobs/../../canary", 404),
        ("/v1/blobs/../canary", 404),
        ("/v1/blobs/%2e%2e/canary", 404),
        ("/v1/blobs/..%2F..%2Fcanary", 400),
        ("/v1/blobs/..%2fcentral.db", 400),
        ("/v1/blobs/..\\..\\canary", 400),
    ] {
        let request = head("GET", path, std::slice::from_ref(&auth));
        let reply = tokio::task::spawn_blocking(move || -> Result<Reply> {
            let mut tcp = connect(port)?;
            tcp.write_all(request.as_bytes())?;
            read_reply(&mut tcp, Duration::from_secs(5))
        })
        .await??;
        assert_eq!(reply.status, status, "{path}");
        assert!(!String::from_utf8_lossy(&reply.body).contains(CANARY), "{path} served the canary");
    }
    assert!(fx.snapshot().changes_since(&before).is_empty());
    Ok(())
}
