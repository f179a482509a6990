//! The HTTP edge of issue 14, over raw sockets: a JSON route takes only `application/json` (a
//! UTF-8 charset allowed), a head dripped a byte a second is cut off within 10 s by default, and a
//! chunked body with a bad chunk size is always answered 400 with the JSON error, never a dropped
//! connection.

use anyhow::Result;
use patrolsync_tests::raw_http::{Exchange, exchange, head};
use std::time::{Duration, Instant};

use super::table::Fixture;

/// A request with `headers` and `body` on a new connection; what came back before it closed.
async fn send(port: u16, method: &str, path: &str, headers: Vec<String>, body: Vec<u8>) -> Result<Exchange> {
    let mut bytes = head(method, path, &headers).into_bytes();
    bytes.extend_from_slice(&body);
    tokio::task::spawn_blocking(move || exchange(port, &bytes, Duration::from_secs(10))).await?
}

fn with_length(mut headers: Vec<String>, body: &[u8]) -> Vec<String> {
    headers.push(format!("content-length: {}", body.len()));
    headers.push("connection: close".into());
    headers
}

#[tokio::test(flavor = "multi_thread")]
async fn json_routes_take_only_json() -> Result<()> {
    let fx = Fixture::start(&[]).await?;
    let port = fx.server.port;
    let officer = format!("authorization: Bearer {}", fx.officer.token.clone().unwrap_or_default());
    let admin = format!("authorization: Bearer {}", fx.admin.token.clone().unwrap_or_default());
    let sync = fx.sync_text("");
    let login = br#"{"username":"vo-t01-v01","password":"wrong","device":{"device_id":"0192f0c1-0000-7000-8000-00000000dead","public_key":"7UkoxijRwsbq6QM4kFmVYSlZJzpcY_k2NsFGFKyHN9E"}}"#.to_vec();
    // A negative time: refused for what it says (400), so nothing is assigned either way.
    let assign = br#"{"officer":"vo-t01-v01","zone":"Z-T01-V02","from":-1}"#.to_vec();
    let refresh = br#"{"refresh_token":"x"}"#.to_vec();
    // Each JSON route, with the answer a well-typed body gets (the body is right, or refused for
    // what it says, never for its type).
    let routes: [(&str, Option<&String>, &Vec<u8>, u16); 4] = [
        ("/v1/sync", Some(&officer), &sync, 200),
        ("/v1/auth/login", None, &login, 401),
        ("/v1/auth/refresh", None, &refresh, 401),
        ("/v1/admin/assignments", Some(&admin), &assign, 400),
    ];
    let before = fx.snapshot();
    let refused = [
        Some("text/plain"),
        Some("text/plain; charset=utf-8"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        Some("application/xml"),
        Some("application/jsonx"),
        Some("application/json-seq"),
        Some("application/json; charset=latin1"),
        Some(""),
        None,
    ];
    let mut failures = Vec::new();
    for (path, token, body, ok_status) in routes {
        for content_type in refused {
            let mut headers: Vec<String> = token.into_iter().cloned().collect();
            headers.extend(content_type.map(|t| format!("content-type: {t}")));
            let seen = send(port, "POST", path, with_length(headers, body), body.clone()).await?;
            let got = seen.replies.first().map(|r| (r.status, r.error_code()));
            if got != Some((415, Some("unsupported_media_type".into()))) {
                failures.push(format!("{path} with {content_type:?}: {got:?}"));
            }
        }
        for content_type in ["application/json", "application/json; charset=utf-8", "Application/JSON;Charset=\"UTF-8\""] {
            let mut headers: Vec<String> = token.into_iter().cloned().collect();
            headers.push(format!("content-type: {content_type}"));
            let seen = send(port, "POST", path, with_length(headers, body), body.clone()).await?;
            let got = seen.replies.first().map(|r| r.status);
            if got != Some(ok_status) {
                failures.push(format!("{path} with {content_type:?}: {got:?}, expected {ok_status}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let changes = fx.snapshot().changes_since(&before);
    assert!(!changes.contains_key("events") && !changes.contains_key("assignments"), "a body changed the log: {changes:?}");
    Ok(())
}

/// With no setting, a head dripped one byte a second is cut off within 10 s and answered 408.
#[tokio::test(flavor = "multi_thread")]
async fn a_head_dripped_a_byte_a_second_is_cut_off_within_ten_seconds_by_default() -> Result<()> {
    let fx = Fixture::start(&[]).await?;
    let port = fx.server.port;
    let request = head("GET", "/healthz", &[format!("x-slow: {}", "a".repeat(40))]).into_bytes();
    let (after, statuses) = tokio::task::spawn_blocking(move || -> Result<(Duration, Vec<u16>)> {
        use std::io::Write;
        let mut tcp = patrolsync_tests::raw_http::connect(port)?;
        let start = Instant::now();
        for b in &request {
            if tcp.write_all(&[*b]).is_err() {
                break;
            }
            std::thread::sleep(Duration::from_secs(1));
            // Stop writing once the server answered: a reply may be waiting to be read.
            tcp.set_nonblocking(true)?;
            let mut probe = [0u8; 1];
            let answered = matches!(tcp.peek(&mut probe), Ok(n) if n > 0);
            tcp.set_nonblocking(false)?;
            if answered {
                break;
            }
        }
        let after = start.elapsed();
        let seen = patrolsync_tests::raw_http::read_all(&mut tcp, Duration::from_secs(5))?;
        Ok((after, seen.replies.iter().map(|r| r.status).collect()))
    })
    .await??;
    assert!(after <= Duration::from_secs(11), "a dripped head was held {after:?}");
    assert_eq!(statuses, [408]);
    Ok(())
}

/// A chunked push whose chunk size is not hex: 200 tries, each on a new connection, each
/// answered 400 with the JSON error (the token check and the body race; the answer must not).
#[tokio::test(flavor = "multi_thread")]
async fn a_bad_chunk_size_is_always_answered_400_json() -> Result<()> {
    let fx = Fixture::start(&[]).await?;
    let port = fx.server.port;
    let token = format!("authorization: Bearer {}", fx.officer.token.clone().unwrap_or_default());
    let before = fx.snapshot();
    let bodies: [&[u8]; 3] = [b"zz\r\n{}\r\n0\r\n\r\n", b"5\r\n{\"a\":\r\n-3\r\n1}\r\n0\r\n\r\n", b"1ffffffffffffffff\r\n\r\n"];
    let mut failures = Vec::new();
    for i in 0..200 {
        let body = bodies[i % bodies.len()];
        let headers =
            vec![token.clone(), "content-type: application/json".into(), "transfer-encoding: chunked".into(), "connection: close".into()];
        let seen = send(port, "POST", "/v1/sync", headers, body.to_vec()).await?;
        let got: Vec<(u16, Option<String>)> = seen.replies.iter().map(|r| (r.status, r.error_code())).collect();
        if got != [(400, Some("malformed_request".into()))] {
            failures.push(format!("try {i} ({:?}): {got:?}", String::from_utf8_lossy(body)));
        }
    }
    assert!(failures.is_empty(), "{} of 200 tries were not a 400 JSON answer:\n{}", failures.len(), failures.join("\n"));
    assert!(fx.snapshot().changes_since(&before).is_empty());
    assert!(fx.healthy().await);
    Ok(())
}
