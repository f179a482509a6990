//! Oversize bodies and compression bombs: a body over its route's limit is refused from its
//! `Content-Length` before a byte of it is read, or as soon as the bytes received (or
//! decompressed) pass the limit, and the server stays healthy.

use anyhow::Result;
use patrolsync_tests::raw_http::{self, connect, head};
use std::io::Write;
use std::time::{Duration, Instant};

use super::table::{Case, Fixture, Who, run};

const GIB: u64 = 1024 * 1024 * 1024;

fn gzip_of_zeros(megabytes: usize) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1024 * 1024];
    (0..megabytes).for_each(|_| gz.write_all(&zeros).expect("gzip"));
    gz.finish().expect("gzip")
}

fn zstd_of_zeros(megabytes: usize) -> Vec<u8> {
    let mut z = zstd::stream::Encoder::new(Vec::new(), 19).expect("zstd");
    let zeros = vec![0u8; 1024 * 1024];
    (0..megabytes).for_each(|_| z.write_all(&zeros).expect("zstd"));
    z.finish().expect("zstd")
}

#[tokio::test(flavor = "multi_thread")]
async fn bombs_and_bad_encodings_are_refused_and_change_nothing() -> Result<()> {
    let fx = Fixture::start(&[]).await?;
    let (gzip_bomb, zstd_bomb) = (gzip_of_zeros(100), zstd_of_zeros(100));
    assert!(gzip_bomb.len() < 200_000 && zstd_bomb.len() < 20_000, "small bombs: {} and {} bytes", gzip_bomb.len(), zstd_bomb.len());
    let mut truncated = gzip_of_zeros(1);
    truncated.truncate(truncated.len() / 2);
    let bomb = |class: &str, path: &str, who: Who, encoding: &str, bytes: &[u8]| {
        Case::post(format!("{path}: {class}"), path, bytes.to_vec()).by(who).header("content-encoding", encoding)
    };
    let mut cases = Vec::new();
    for (path, who) in [("/v1/sync", Who::Officer), ("/v1/auth/login", Who::Nobody), ("/v1/admin/assignments", Who::Admin)] {
        cases.push(bomb("gzip bomb, 100 MiB of zeros", path, who, "gzip", &gzip_bomb).answer(413, "payload_too_large"));
        cases.push(bomb("zstd bomb, 100 MiB of zeros", path, who, "zstd", &zstd_bomb).answer(413, "payload_too_large"));
    }
    cases.extend([
        bomb("truncated gzip", "/v1/sync", Who::Officer, "gzip", &truncated).answer(400, "malformed_request"),
        bomb("zstd header on gzip bytes", "/v1/sync", Who::Officer, "zstd", &gzip_bomb).answer(400, "malformed_request"),
        bomb("an encoding list", "/v1/sync", Who::Officer, "gzip, zstd", &gzip_bomb).answer(415, "unsupported_encoding"),
        bomb("brotli", "/v1/sync", Who::Officer, "br", b"x").answer(415, "unsupported_encoding"),
        Case::post("/v1/sync: 9 MiB of white space", "/v1/sync", vec![b' '; 9 * 1024 * 1024]).answer(413, "payload_too_large"),
        Case::post("/v1/auth/login: 17 KiB", "/v1/auth/login", vec![b' '; 17 * 1024]).by(Who::Nobody).answer(413, "payload_too_large"),
    ]);
    run(&fx, cases).await
}

/// Sends a head announcing `length` bytes and then only `sent` bytes; returns the reply and how
/// long it took from the end of the write.
fn lying_length(port: u16, method: &str, path: &str, auth: Option<&str>, length: u64) -> Result<(u16, Option<String>, Duration)> {
    let mut headers = vec![format!("content-length: {length}"), "content-type: application/json".to_string()];
    headers.extend(auth.map(|t| format!("authorization: Bearer {t}")));
    let mut tcp = connect(port)?;
    tcp.write_all(head(method, path, &headers).as_bytes())?;
    tcp.write_all(b"{\"events\":")?;
    let start = Instant::now();
    let reply = raw_http::read_reply(&mut tcp, Duration::from_secs(10))?;
    Ok((reply.status, reply.error_code(), start.elapsed()))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_declared_gigabyte_is_refused_at_once_without_waiting_for_it() -> Result<()> {
    let fx = Fixture::start(&[]).await?;
    let port = fx.server.port;
    let before = fx.snapshot();
    let officer = fx.officer.token.clone();
    let admin = fx.admin.token.clone();
    let cases: Vec<(&str, &str, Option<String>, u16, &str)> = vec![
        ("/v1/sync", "POST", officer.clone(), 413, "payload_too_large"),
        ("/v1/sync", "POST", None, 401, "unauthenticated"),
        ("/v1/auth/login", "POST", None, 413, "payload_too_large"),
        ("/v1/admin/assignments", "POST", admin, 413, "payload_too_large"),
        ("/v1/blobs/0000000000000000000000000000000000000000000000000000000000000000", "PUT", officer, 404, "not_found"),
    ];
    for (path, method, token, status, code) in cases {
        let (got, got_code, took) = tokio::task::spawn_blocking(move || lying_length(port, method, path, token.as_deref(), GIB)).await??;
        assert_eq!((got, got_code.as_deref()), (status, Some(code)), "{method} {path}");
        // The body never comes: an answer at all proves the server did not wait for it (it would
        // wait for the body timeout, 300 s). 5 s leaves room for a loaded CI machine.
        assert!(took < Duration::from_secs(5), "{method} {path} answered after {took:?}: it waited for the body");
    }
    assert!(fx.snapshot().changes_since(&before).is_empty());
    assert!(fx.healthy().await);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_chunked_body_over_the_limit_is_refused_while_it_is_still_coming() -> Result<()> {
    let fx = Fixture::start(&[("PATROLSYNC_MAX_BODY_BYTES", "1048576")]).await?;
    let port = fx.server.port;
    let before = fx.snapshot();
    let token = fx.officer.token.clone().unwrap_or_default();
    let mut tcp = connect(port)?;
    let headers =
        [format!("authorization: Bearer {token}"), "content-type: application/json".into(), "transfer-encoding: chunked".to_string()];
    tcp.write_all(head("POST", "/v1/sync", &headers).as_bytes())?;
    let mut writer = tcp.try_clone()?;
    // 2 MiB in 64 KiB chunks, and the closing chunk never sent: the answer must not wait for it.
    let sender = std::thread::spawn(move || {
        let chunk = vec![b' '; 64 * 1024];
        for _ in 0..32 {
            if writer
                .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .and_then(|_| writer.write_all(&chunk))
                .and_then(|_| writer.write_all(b"\r\n"))
                .is_err()
            {
                return;
            }
        }
        std::thread::sleep(Duration::from_secs(10));
    });
    let reply = tokio::task::spawn_blocking(move || raw_http::read_reply(&mut tcp, Duration::from_secs(5))).await??;
    assert_eq!((reply.status, reply.error_code().as_deref()), (413, Some("payload_too_large")));
    drop(sender);
    assert!(fx.snapshot().changes_since(&before).is_empty());
    assert!(fx.healthy().await);
    Ok(())
}
