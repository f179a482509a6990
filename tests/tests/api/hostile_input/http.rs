//! The HTTP layer itself, over raw TCP: request smuggling (ambiguous body framing) is refused and
//! the request hidden behind it never runs; obs-fold and oversized heads are refused; a client
//! that trickles its head is cut off by the request timeout while others are served.

use anyhow::Result;
use patrolsync_tests::raw::now_ms;
use patrolsync_tests::raw_http::{self, connect, exchange, head};
use patrolsync_tests::tracks;
use std::io::Write;
use std::time::{Duration, Instant};
use sync_protocol::ids::ZoneId;

use super::table::Fixture;

/// The content type every JSON route requires (any other is answered 415 before the body is read).
const JSON: &str = "content-type: application/json";

/// A complete, valid push of one new patrol: what a smuggler would hide behind the first request.
fn smuggled_push(fx: &mut Fixture) -> Vec<u8> {
    let zone = ZoneId::new("Z-T01-V01").expect("zone");
    let event = fx.officer.seal(&tracks::patrol(&zone, now_ms() as i64 - 3_600_000, 10, 7));
    let body = serde_json::json!({"events": [event], "hlc": fx.officer.hlc}).to_string();
    let token = fx.officer.token.clone().unwrap_or_default();
    let mut request =
        head("POST", "/v1/sync", &[format!("authorization: Bearer {token}"), JSON.into(), format!("content-length: {}", body.len())])
            .into_bytes();
    request.extend_from_slice(body.as_bytes());
    request
}

/// The framings a front proxy and this server could read differently, each followed by the
/// smuggled push. Every one must be refused (400, connection closed) and the push never run.
fn framings(token: &str, smuggled: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let auth = format!("authorization: Bearer {token}");
    let chunked_end = "0\r\n\r\n";
    let with = |lines: &[&str], body: &str| {
        let mut headers = vec![auth.clone(), JSON.to_string()];
        headers.extend(lines.iter().map(|l| l.to_string()));
        let mut bytes = head("POST", "/v1/sync", &headers).into_bytes();
        bytes.extend_from_slice(body.as_bytes());
        bytes.extend_from_slice(smuggled);
        bytes
    };
    let cl = format!("content-length: {}", chunked_end.len() + smuggled.len());
    vec![
        ("Content-Length and Transfer-Encoding: chunked", with(&[&cl, "transfer-encoding: chunked"], chunked_end)),
        ("Transfer-Encoding: chunked, then Content-Length", with(&["transfer-encoding: chunked", &cl], chunked_end)),
        ("two different Content-Length headers", with(&["content-length: 0", &cl], "")),
        ("Content-Length listed twice in one header", with(&[&format!("{cl}, 0")], "")),
        ("Transfer-Encoding: chunked, identity", with(&["transfer-encoding: chunked, identity"], chunked_end)),
        ("Transfer-Encoding: identity, chunked", with(&["transfer-encoding: identity, chunked"], chunked_end)),
        ("Transfer-Encoding: xchunked", with(&["transfer-encoding: xchunked"], chunked_end)),
        ("two Transfer-Encoding headers", with(&["transfer-encoding: chunked", "transfer-encoding: identity"], chunked_end)),
        ("obs-fold in Transfer-Encoding", with(&["transfer-encoding:", " chunked"], chunked_end)),
        ("obs-fold in another header", with(&["x-note: first", " continued", "content-length: 0"], "")),
        ("Content-Length: +0", with(&["content-length: +0"], "")),
        ("Content-Length in hex", with(&["content-length: 0x0"], "")),
        ("a chunk size past 2^64", with(&["transfer-encoding: chunked"], "1ffffffffffffffff\r\n\r\n")),
        ("a space before the header colon", with(&["transfer-encoding : chunked", "content-length: 0"], chunked_end)),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn smuggled_requests_are_refused_and_never_run() -> Result<()> {
    let mut fx = Fixture::start(&[]).await?;
    let port = fx.server.port;
    let token = fx.officer.token.clone().unwrap_or_default();
    let smuggled = smuggled_push(&mut fx);
    let before = fx.snapshot();
    let cases = framings(&token, &smuggled);
    let mut failures = Vec::new();
    for (class, bytes) in &cases {
        let seen = tokio::task::spawn_blocking({
            let bytes = bytes.clone();
            move || exchange(port, &bytes, Duration::from_secs(5))
        })
        .await??;
        // A framing refused in the head gets its 400; one that breaks in the body (a chunk size
        // past 2^64) may instead see the connection closed before the 400 is written. Either
        // way the connection ends there and nothing after it is read as a request.
        let statuses: Vec<u16> = seen.replies.iter().map(|r| r.status).collect();
        if !(statuses == [400] || statuses.is_empty()) || !seen.closed {
            failures.push(format!("{class}: expected a 400 and the connection closed, got {statuses:?} (closed: {})", seen.closed));
        }
        let changes = fx.snapshot().changes_since(&before);
        if !changes.is_empty() {
            failures.push(format!("{class}: the smuggled push ran: {changes:?}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} framings failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
    // The same push sent on its own is accepted: the refusals above were about the framing.
    let alone = tokio::task::spawn_blocking(move || exchange(port, &smuggled, Duration::from_secs(10))).await??;
    assert_eq!(alone.replies.first().map(|r| r.status), Some(200));
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_heads_are_refused() -> Result<()> {
    let fx = Fixture::start(&[]).await?;
    let port = fx.server.port;
    let before = fx.snapshot();
    let huge_header = head("GET", "/healthz", &[format!("x-padding: {}", "a".repeat(1024 * 1024))]);
    let many_headers = head("GET", "/healthz", &(0..500).map(|i| format!("x-h{i}: {i}")).collect::<Vec<_>>());
    let huge_path = head("GET", &format!("/v1/blobs/{}", "a".repeat(1024 * 1024)), &[]);
    for (class, bytes, status) in
        [("a 1 MiB header", huge_header, 431), ("500 headers", many_headers, 431), ("a 1 MiB path", huge_path, 431)]
    {
        let seen = tokio::task::spawn_blocking(move || exchange(port, bytes.as_bytes(), Duration::from_secs(5))).await??;
        assert_eq!(seen.replies.first().map(|r| r.status), Some(status), "{class}");
    }
    assert!(fx.snapshot().changes_since(&before).is_empty());
    assert!(fx.healthy().await);
    Ok(())
}

/// Sends `bytes` one at a time on a new connection, `every` apart, until the server has closed
/// it (a write fails); returns how long that took and what the server answered.
fn trickle(port: u16, bytes: &[u8], every: Duration) -> Result<(Duration, Vec<u16>)> {
    trickle_on(&mut connect(port)?, bytes, every)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_trickling_its_head_is_cut_off_while_others_are_served() -> Result<()> {
    let fx = Fixture::start(&[("PATROLSYNC_CLIENT_REQUEST_TIMEOUT_S", "1")]).await?;
    let port = fx.server.port;
    // Ten slow clients, each sending its head a byte every 200 ms: 60 bytes would take 12 s.
    let request = head("GET", "/healthz", &["x-slow: 1234567890".to_string()]);
    let slow: Vec<_> = (0..10)
        .map(|_| {
            let bytes = request.clone().into_bytes();
            std::thread::spawn(move || trickle(port, &bytes, Duration::from_millis(200)))
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Meanwhile a normal client is served at once.
    for _ in 0..3 {
        let started = Instant::now();
        assert!(fx.healthy().await, "a normal client is served while slow ones trickle");
        assert!(started.elapsed() < Duration::from_millis(1_500), "served in {:?}", started.elapsed());
    }
    for handle in slow {
        let (after, statuses) = handle.join().expect("slow client thread")?;
        assert!(after < Duration::from_secs(6), "a slow client was cut off only after {after:?}");
        assert_eq!(statuses, [408], "a slow client got {statuses:?}");
    }
    Ok(())
}

/// A large push takes one of the server's 4 turns before its body is read. Four clients that
/// announce large bodies and trickle them must not hold the turns forever: each body has to
/// arrive within `client_body_timeout_s`, or the client is answered 408 and its turn freed.
#[tokio::test(flavor = "multi_thread")]
async fn trickled_bodies_lose_their_turn_and_a_large_push_is_served() -> Result<()> {
    let fx = Fixture::start(&[("PATROLSYNC_CLIENT_BODY_TIMEOUT_S", "2")]).await?;
    let port = fx.server.port;
    let token = fx.officer.token.clone().unwrap_or_default();
    let auth = format!("authorization: Bearer {token}");
    let slow: Vec<_> = (0..4)
        .map(|_| {
            let request = head("POST", "/v1/sync", &[auth.clone(), JSON.into(), "content-length: 100000".to_string()]).into_bytes();
            std::thread::spawn(move || -> Result<(Duration, Vec<u16>)> {
                let mut tcp = connect(port)?;
                tcp.write_all(&request)?;
                trickle_on(&mut tcp, &[b' '; 100], Duration::from_millis(200))
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    // A pull padded past 64 KiB counts as a large push and needs a turn.
    let large = [fx.sync_text("").as_slice(), &vec![b' '; 70 * 1024]].concat();
    let started = Instant::now();
    let (status, _) = tokio::time::timeout(Duration::from_secs(20), fx.officer.post("/v1/sync", &large)).await??;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert!(started.elapsed() < Duration::from_secs(8), "the large push waited {:?}", started.elapsed());
    for handle in slow {
        let (after, statuses) = handle.join().expect("slow client thread")?;
        assert!(after < Duration::from_secs(8), "a trickling body was cut off only after {after:?}");
        assert_eq!(statuses, [408], "a trickling body got {statuses:?}");
    }
    Ok(())
}

/// [`trickle`] on a connection already open.
fn trickle_on(tcp: &mut std::net::TcpStream, bytes: &[u8], every: Duration) -> Result<(Duration, Vec<u16>)> {
    let start = Instant::now();
    for b in bytes {
        std::thread::sleep(every);
        if tcp.write_all(&[*b]).is_err() {
            break;
        }
    }
    let cut_off = start.elapsed();
    let seen = raw_http::read_all(tcp, Duration::from_secs(5))?;
    Ok((cut_off, seen.replies.iter().map(|r| r.status).collect()))
}
