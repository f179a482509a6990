//! The blob API end to end against the real server process: resumable uploads cut off by a
//! dropped connection or a SIGKILL, verification before visibility, storage once, the access
//! rule, hostile inputs, and the missing-evidence listing.

use anyhow::{Context, Result};
use patrolsync_tests::DEMO_PASSWORD;
use patrolsync_tests::photo::{jpeg, sha256_hex};
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::server::TestServer;
use patrolsync_tests::tracks;
use reqwest::StatusCode;
use std::path::Path;
use std::time::Duration;
use sync_protocol::body::{AttachmentAdded, Body, FindingKind, MediaType, Subject, SubjectKind};
use sync_protocol::ids::{EventId, ZoneId};
use sync_protocol::wire::{AckStatus, RejectReason};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const OFFICER: &str = "vo-t01-v01";

async fn device(server: &TestServer, user: &str) -> Result<RawDevice> {
    let mut d = RawDevice::new(&server.url(), user)?;
    d.login(DEMO_PASSWORD).await?;
    Ok(d)
}

/// An officer with a patrol and a finding on it, accepted by the server.
async fn officer_with_finding(server: &TestServer) -> Result<(RawDevice, EventId, EventId)> {
    let mut d = device(server, OFFICER).await?;
    let zone = ZoneId::new("Z-T01-V01")?;
    let start = now_ms() as i64 - 3_600_000;
    let patrol = d.seal(&tracks::patrol(&zone, start, 20, 1));
    let finding = d.seal(&tracks::finding(&zone, patrol.id, start + 60_000, FindingKind::UnlicensedMining, None));
    let response = d.sync(&[patrol.clone(), finding.clone()]).await?;
    assert!(response.acks.iter().all(|a| a.status == AckStatus::Accepted), "{:?}", response.acks);
    Ok((d, patrol.id, finding.id))
}

fn attachment(finding: EventId, bytes: &[u8], media_type: MediaType) -> Body {
    Body::AttachmentAdded(AttachmentAdded {
        subject: Subject { kind: SubjectKind::Finding, id: finding },
        sha256: sha256_hex(bytes).parse().expect("hash"),
        size: bytes.len() as u64,
        media_type,
        file_name: Some("pit.jpg".into()),
        captured_at: None,
        captured_place: None,
    })
}

/// Seals and pushes `body`; returns the ack's status and reason.
async fn push(d: &mut RawDevice, body: &Body) -> Result<(AckStatus, Option<RejectReason>)> {
    let event = d.seal(body);
    let response = d.sync(&[event]).await?;
    Ok((response.acks[0].status, response.acks[0].reason))
}

fn blob_url(d: &RawDevice, hash: &str) -> String {
    format!("{}/v1/blobs/{hash}", d.url)
}

/// A request with the device's token.
fn request(d: &RawDevice, method: reqwest::Method, hash: &str) -> reqwest::RequestBuilder {
    d.http.request(method, blob_url(d, hash)).bearer_auth(d.token.as_deref().unwrap_or_default())
}

async fn put(d: &RawDevice, hash: &str, offset: u64, bytes: &[u8]) -> Result<(StatusCode, Option<u64>)> {
    let response = request(d, reqwest::Method::PUT, hash).header("upload-offset", offset).body(bytes.to_vec()).send().await?;
    Ok((response.status(), upload_offset(&response)))
}

async fn head(d: &RawDevice, hash: &str) -> Result<(StatusCode, Option<u64>, Option<u64>)> {
    let response = request(d, reqwest::Method::HEAD, hash).send().await?;
    let length = response.headers().get("content-length").and_then(|v| v.to_str().ok()?.parse().ok());
    Ok((response.status(), upload_offset(&response), length))
}

async fn get(d: &RawDevice, hash: &str) -> Result<(StatusCode, Vec<u8>)> {
    let response = request(d, reqwest::Method::GET, hash).send().await?;
    Ok((response.status(), response.bytes().await?.to_vec()))
}

fn upload_offset(response: &reqwest::Response) -> Option<u64> {
    response.headers().get("upload-offset").and_then(|v| v.to_str().ok()?.parse().ok())
}

/// Opens a raw connection and sends a PUT whose headers announce `announced` bytes, followed by
/// only `sent`: the caller then drops the connection (or kills the server) mid-body.
async fn put_cut_off(d: &RawDevice, port: u16, hash: &str, offset: u64, announced: usize, sent: &[u8]) -> Result<tokio::net::TcpStream> {
    let mut tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    let token = d.token.as_deref().unwrap_or_default();
    let head = format!(
        "PUT /v1/blobs/{hash} HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer {token}\r\nupload-offset: {offset}\r\n\
         content-length: {announced}\r\n\r\n"
    );
    tcp.write_all(head.as_bytes()).await?;
    tcp.write_all(sent).await?;
    tcp.flush().await?;
    Ok(tcp)
}

/// Waits until HEAD reports an upload offset that stays put for a moment; returns it.
async fn settled_offset(d: &RawDevice, hash: &str) -> Result<u64> {
    let mut last = None;
    for _ in 0..200 {
        let (status, offset, _) = head(d, hash).await?;
        assert_eq!(status, StatusCode::NOT_FOUND, "an incomplete blob is not found");
        if offset.is_some_and(|o| o > 0) && offset == last {
            return Ok(last.unwrap_or(0));
        }
        last = offset;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::bail!("the upload offset never settled (last {last:?})")
}

/// Every complete blob file under the server's blob folder (partial uploads excluded).
fn blob_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.join("blobs")];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() && path.file_name().is_some_and(|n| n != "partial") {
                stack.push(path);
            } else if path.is_file() {
                found.push(path);
            }
        }
    }
    found
}

#[tokio::test]
async fn an_upload_cut_off_half_way_resumes_and_completes_with_exactly_the_original_bytes() -> Result<()> {
    let server = TestServer::start()?;
    let (mut d, _, finding) = officer_with_finding(&server).await?;
    let photo = jpeg(None, 1_500_000, 1);
    let hash = sha256_hex(&photo);
    assert_eq!(push(&mut d, &attachment(finding, &photo, MediaType::Jpeg)).await?.0, AckStatus::Accepted);
    assert_eq!(head(&d, &hash).await?.0, StatusCode::NOT_FOUND);

    let cut = 900_000;
    let tcp = put_cut_off(&d, server.port, &hash, 0, photo.len(), &photo[..cut]).await?;
    // Let the server read what was sent, then drop the connection mid-body.
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(tcp);
    let offset = settled_offset(&d, &hash).await?;
    assert!(offset > 0 && offset <= cut as u64, "kept {offset} of the {cut} bytes sent");
    assert_eq!(get(&d, &hash).await?.0, StatusCode::NOT_FOUND, "a partial blob is never served");

    let (status, current) = put(&d, &hash, 0, &photo).await?;
    assert_eq!((status, current), (StatusCode::CONFLICT, Some(offset)), "a PUT from the wrong offset is told where to resume");
    let (status, done) = put(&d, &hash, offset, &photo[offset as usize..]).await?;
    assert_eq!((status, done), (StatusCode::CREATED, Some(photo.len() as u64)));
    let (status, bytes) = get(&d, &hash).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(bytes == photo, "the server's bytes are exactly the original");
    assert_eq!(head(&d, &hash).await?, (StatusCode::OK, None, Some(photo.len() as u64)));
    Ok(())
}

#[tokio::test]
async fn bytes_that_do_not_match_their_hash_or_type_are_refused_and_never_visible() -> Result<()> {
    let server = TestServer::start()?;
    let (mut d, _, finding) = officer_with_finding(&server).await?;
    let photo = jpeg(None, 50_000, 2);
    let hash = sha256_hex(&photo);
    push(&mut d, &attachment(finding, &photo, MediaType::Jpeg)).await?;
    let mut forged = photo.clone();
    forged[30_000] ^= 0xFF;
    assert_eq!(put(&d, &hash, 0, &forged).await?.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(get(&d, &hash).await?.0, StatusCode::NOT_FOUND);
    assert_eq!(head(&d, &hash).await?.1, Some(0), "the refused upload is removed");
    assert!(blob_files(server.dir.path()).is_empty(), "nothing stored");

    // A JPEG declared as a PNG: the content decides.
    let other = jpeg(None, 20_000, 3);
    push(&mut d, &attachment(finding, &other, MediaType::Png)).await?;
    assert_eq!(put(&d, &sha256_hex(&other), 0, &other).await?.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(blob_files(server.dir.path()).is_empty());
    Ok(())
}

#[tokio::test]
async fn two_events_naming_the_same_photo_store_it_once() -> Result<()> {
    let server = TestServer::start()?;
    let (mut d, patrol, finding) = officer_with_finding(&server).await?;
    let photo = jpeg(None, 80_000, 4);
    let hash = sha256_hex(&photo);
    push(&mut d, &attachment(finding, &photo, MediaType::Jpeg)).await?;
    let mut on_patrol = attachment(finding, &photo, MediaType::Jpeg);
    if let Body::AttachmentAdded(a) = &mut on_patrol {
        a.subject = Subject { kind: SubjectKind::Patrol, id: patrol };
    }
    assert_eq!(push(&mut d, &on_patrol).await?.0, AckStatus::Accepted);
    assert_eq!(put(&d, &hash, 0, &photo).await?.0, StatusCode::CREATED);
    assert_eq!(put(&d, &hash, 0, &photo).await?.0, StatusCode::OK, "stored before: nothing to do");
    assert_eq!(blob_files(server.dir.path()).len(), 1);
    let store = server.open_store()?;
    let (blobs, attachments): (i64, i64) =
        store.query_row("SELECT (SELECT count(*) FROM blobs), (SELECT count(*) FROM attachments)", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
    assert_eq!((blobs, attachments), (1, 2));
    Ok(())
}

/// Status, headers and body of a request, for comparing answers. The date, and whether the
/// server keeps the connection (which depends on whether the unread body had fully arrived when
/// it answered, not on the blob), are left out.
async fn answer(response: reqwest::Response) -> Result<(StatusCode, Vec<(String, String)>, Vec<u8>)> {
    let status = response.status();
    let mut headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .filter(|(k, _)| k.as_str() != "date" && k.as_str() != "connection")
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    headers.sort();
    Ok((status, headers, response.bytes().await?.to_vec()))
}

#[tokio::test]
async fn a_user_who_may_not_see_the_event_gets_the_same_answer_for_an_existing_and_a_missing_blob() -> Result<()> {
    let server = TestServer::start()?;
    let (mut d, _, finding) = officer_with_finding(&server).await?;
    let (stored, partial) = (jpeg(None, 30_000, 5), jpeg(None, 30_000, 6));
    for photo in [&stored, &partial] {
        push(&mut d, &attachment(finding, photo, MediaType::Jpeg)).await?;
    }
    put(&d, &sha256_hex(&stored), 0, &stored).await?;
    put(&d, &sha256_hex(&partial), 0, &partial[..10_000]).await?;
    let missing = sha256_hex(b"no such photo");
    // Another village's officer and another township's inspector see none of T01-V01's events.
    for user in ["vo-t02-v01", "ti-t03-1"] {
        let outsider = device(&server, user).await?;
        for method in [reqwest::Method::HEAD, reqwest::Method::GET] {
            let mut answers = Vec::new();
            for hash in [sha256_hex(&stored), sha256_hex(&partial), missing.clone()] {
                answers.push(answer(request(&outsider, method.clone(), &hash).send().await?).await?);
            }
            assert_eq!(answers[0].0, StatusCode::NOT_FOUND, "{user} {method}");
            assert_eq!(answers[0], answers[2], "{user} {method}: existing vs missing");
            assert_eq!(answers[1], answers[2], "{user} {method}: partial vs missing");
        }
        let put_existing =
            answer(request(&outsider, reqwest::Method::PUT, &sha256_hex(&partial)).body(vec![1u8; 10]).send().await?).await?;
        let put_missing = answer(request(&outsider, reqwest::Method::PUT, &missing).body(vec![1u8; 10]).send().await?).await?;
        assert_eq!(put_existing, put_missing, "{user} PUT");
    }
    // The township's inspector may see the finding, so its evidence.
    let inspector = device(&server, "ti-t01-1").await?;
    assert_eq!(get(&inspector, &sha256_hex(&stored)).await?, (StatusCode::OK, stored.clone()));
    Ok(())
}

#[tokio::test]
async fn a_server_killed_during_an_upload_never_serves_a_partial_blob() -> Result<()> {
    let mut server = TestServer::start()?;
    let (mut d, _, finding) = officer_with_finding(&server).await?;
    let photo = jpeg(None, 2_000_000, 7);
    let hash = sha256_hex(&photo);
    push(&mut d, &attachment(finding, &photo, MediaType::Jpeg)).await?;
    let tcp = put_cut_off(&d, server.port, &hash, 0, photo.len(), &photo[..1_200_000]).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.kill();
    drop(tcp);
    server.restart()?;
    d.reconnect(&server.url())?;
    d.login(DEMO_PASSWORD).await?;
    assert_eq!(get(&d, &hash).await?.0, StatusCode::NOT_FOUND);
    let (status, offset, _) = head(&d, &hash).await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let offset = offset.context("the uploader learns the offset")?;
    assert!(offset <= 1_200_000);
    assert!(blob_files(server.dir.path()).is_empty(), "no complete blob after the kill");
    assert_eq!(put(&d, &hash, offset, &photo[offset as usize..]).await?.0, StatusCode::CREATED);
    assert_eq!(get(&d, &hash).await?, (StatusCode::OK, photo));
    Ok(())
}

/// Sends raw bytes and returns the reply's status line.
async fn raw_status(port: u16, request: &[u8]) -> Result<String> {
    let mut tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    tcp.write_all(request).await?;
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(10), tcp.read(&mut buf)).await??;
    Ok(String::from_utf8_lossy(&buf[..n]).lines().next().unwrap_or_default().to_string())
}

#[tokio::test]
async fn hostile_hashes_sizes_and_bodies_are_refused() -> Result<()> {
    let server = TestServer::start_with(&[("PATROLSYNC_MAX_BLOB_BYTES", "100000")])?;
    let (mut d, _, finding) = officer_with_finding(&server).await?;
    for bad in ["..%2F..%2Fetc%2Fpasswd", "%2e%2e%2fcentral.db", "ABCDEF", &"A".repeat(64), &format!("{}0", "a".repeat(64))] {
        let status = request(&d, reqwest::Method::GET, bad).send().await?.status();
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
    // A declared size above the protocol's limit is an invalid body.
    let mut huge = attachment(finding, b"x", MediaType::Jpeg);
    if let Body::AttachmentAdded(a) = &mut huge {
        a.size = 30 * 1024 * 1024;
    }
    assert_eq!(push(&mut d, &huge).await?, (AckStatus::Rejected, Some(RejectReason::InvalidBody)));
    // Above this server's limit: refused from the headers, before a byte of the body is read.
    let photo = jpeg(None, 200_000, 8);
    let hash = sha256_hex(&photo);
    push(&mut d, &attachment(finding, &photo, MediaType::Jpeg)).await?;
    let token = d.token.clone().unwrap_or_default();
    let head =
        format!("PUT /v1/blobs/{hash} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {token}\r\ncontent-length: {}\r\n\r\n", photo.len());
    assert!(raw_status(server.port, head.as_bytes()).await?.contains(" 413 "));
    // Within the limit, but a body longer than the blob: refused from the headers too.
    let small = jpeg(None, 1_000, 9);
    push(&mut d, &attachment(finding, &small, MediaType::Jpeg)).await?;
    let head = format!(
        "PUT /v1/blobs/{} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {token}\r\ncontent-length: 50000\r\n\r\n",
        sha256_hex(&small)
    );
    assert!(raw_status(server.port, head.as_bytes()).await?.contains(" 413 "));
    assert_eq!(put(&d, &sha256_hex(&small), 0, &small).await?.0, StatusCode::CREATED);
    // A PUT for a hash no accepted event names.
    assert_eq!(put(&d, &sha256_hex(b"nobody named me"), 0, b"nobody named me").await?.0, StatusCode::NOT_FOUND);
    let bad_offset = request(&d, reqwest::Method::PUT, &hash).header("upload-offset", "-1").body("x").send().await?.status();
    assert_eq!(bad_offset, StatusCode::BAD_REQUEST);
    Ok(())
}

#[tokio::test]
async fn missing_evidence_is_listed_for_the_scope_until_its_bytes_arrive() -> Result<()> {
    let server = TestServer::start()?;
    let (mut d, _, finding) = officer_with_finding(&server).await?;
    let photo = jpeg(None, 40_000, 10);
    let hash = sha256_hex(&photo);
    push(&mut d, &attachment(finding, &photo, MediaType::Jpeg)).await?;
    put(&d, &hash, 0, &photo[..15_000]).await?;
    let inspector = device(&server, "ti-t01-1").await?;
    let (status, list) = inspector.get_json("/v1/evidence/missing").await?;
    assert_eq!(status, StatusCode::OK);
    let missing = list["missing"].as_array().context("missing")?;
    assert_eq!(missing.len(), 1, "{list}");
    assert_eq!(missing[0]["sha256"], hash.as_str());
    assert_eq!(missing[0]["officer"], OFFICER);
    assert_eq!(missing[0]["village"], "T01-V01");
    assert_eq!(missing[0]["township"], "T01");
    assert_eq!(missing[0]["received"], 15_000);
    assert_eq!(missing[0]["subject"]["kind"], "finding");
    let elsewhere = device(&server, "ti-t03-1").await?;
    assert_eq!(elsewhere.get_json("/v1/evidence/missing").await?.1["missing"].as_array().map(Vec::len), Some(0));
    put(&d, &hash, 15_000, &photo[15_000..]).await?;
    assert_eq!(inspector.get_json("/v1/evidence/missing").await?.1["missing"].as_array().map(Vec::len), Some(0));
    Ok(())
}

/// Issue 14: knowing a photo's hash is not holding it. An officer of another township names an
/// existing photo's hash in an attachment on their own finding: the event is kept, but the
/// reference unlocks nothing until its author sends the bytes, and every answer they get is the
/// answer for a photo nobody uploaded. One who does hold the bytes proves it by sending them, and
/// the server still stores them once.
#[tokio::test]
async fn knowing_a_photos_hash_does_not_unlock_it() -> Result<()> {
    let server = TestServer::start()?;
    let (mut owner, _, finding) = officer_with_finding(&server).await?;
    let photo = jpeg(None, 60_000, 11);
    let hash = sha256_hex(&photo);
    assert_eq!(push(&mut owner, &attachment(finding, &photo, MediaType::Jpeg)).await?.0, AckStatus::Accepted);
    assert_eq!(put(&owner, &hash, 0, &photo).await?.0, StatusCode::CREATED);

    let mut outsider = device(&server, "vo-t02-v01").await?;
    let zone = ZoneId::new("Z-T02-V01")?;
    let start = now_ms() as i64 - 3_600_000;
    let patrol = outsider.seal(&tracks::patrol(&zone, start, 20, 21));
    let theirs = outsider.seal(&tracks::finding(&zone, patrol.id, start + 60_000, FindingKind::UnlicensedMining, None));
    outsider.sync(&[patrol, theirs.clone()]).await?;
    // A photo nobody uploaded: the reference for every answer the outsider gets.
    let never = jpeg(None, 60_000, 12);
    let never_hash = sha256_hex(&never);
    for bytes in [&photo, &never] {
        assert_eq!(push(&mut outsider, &attachment(theirs.id, bytes, MediaType::Jpeg)).await?.0, AckStatus::Accepted);
    }
    for method in [reqwest::Method::HEAD, reqwest::Method::GET] {
        let existing = answer(request(&outsider, method.clone(), &hash).send().await?).await?;
        let missing = answer(request(&outsider, method.clone(), &never_hash).send().await?).await?;
        assert_eq!(existing.0, StatusCode::NOT_FOUND, "{method}: the outsider reads the photo");
        assert_eq!(existing, missing, "{method}: existence leaks");
    }
    assert_eq!(head(&outsider, &hash).await?.1, Some(0), "the outsider is told to send the bytes from 0");
    // Nor does the reference unlock it for those who may read the outsider's finding.
    let their_inspector = device(&server, "ti-t02-1").await?;
    assert_eq!(get(&their_inspector, &hash).await?.0, StatusCode::NOT_FOUND);
    let (_, missing) = their_inspector.get_json("/v1/evidence/missing").await?;
    let listed: Vec<&str> = missing["missing"].as_array().context("missing")?.iter().filter_map(|m| m["sha256"].as_str()).collect();
    assert!(listed.contains(&hash.as_str()), "the outsider's reference is missing evidence until proved: {missing}");
    // Bytes they do not hold are refused, as for a photo nobody uploaded.
    let mut forged = photo.clone();
    forged[40_000] ^= 0xFF;
    let mut forged_never = never.clone();
    forged_never[40_000] ^= 0xFF;
    // The answers differ only in the hashes they name (the one asked for, the one sent).
    let blanked = |(status, headers, body): (StatusCode, Vec<(String, String)>, Vec<u8>), named: &str, sent: &[u8]| {
        let text = String::from_utf8_lossy(&body).replace(named, "<named>").replace(&sha256_hex(sent), "<sent>");
        (status, headers, text)
    };
    let sent = answer(request(&outsider, reqwest::Method::PUT, &hash).body(forged.clone()).send().await?).await?;
    let refused = blanked(sent, &hash, &forged);
    let sent = answer(request(&outsider, reqwest::Method::PUT, &never_hash).body(forged_never.clone()).send().await?).await?;
    let refused_never = blanked(sent, &never_hash, &forged_never);
    assert_eq!(refused.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused, refused_never);
    // The owner and the owner's inspector still read it.
    assert_eq!(get(&owner, &hash).await?, (StatusCode::OK, photo.clone()));
    assert_eq!(get(&device(&server, "ti-t01-1").await?, &hash).await?, (StatusCode::OK, photo.clone()));

    // Holding the bytes is proved by sending them: answered as any first upload, stored once.
    let proved = put(&outsider, &hash, 0, &photo).await?;
    let first = put(&outsider, &never_hash, 0, &never).await?;
    assert_eq!((proved.0, first.0), (StatusCode::CREATED, StatusCode::CREATED));
    assert_eq!(get(&outsider, &hash).await?, (StatusCode::OK, photo.clone()));
    assert_eq!(get(&their_inspector, &hash).await?.0, StatusCode::OK);
    assert_eq!(blob_files(server.dir.path()).len(), 2, "the photo and the other one, each once");
    Ok(())
}
