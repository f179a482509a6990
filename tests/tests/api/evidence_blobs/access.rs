//! The access rule on blobs: a user who may not see the event gets the same answer for an
//! existing photo, a partial one and a missing one; knowing a photo's hash unlocks nothing.

use anyhow::{Context, Result};
use patrolsync_tests::app::spawn_app;
use patrolsync_tests::evidence::{attachment, blob_files, blob_request, get, head, officer_with_finding, push, put};
use patrolsync_tests::photo::{jpeg, sha256_hex};
use patrolsync_tests::raw::now_ms;
use patrolsync_tests::tracks;
use reqwest::StatusCode;
use sync_protocol::body::{FindingKind, MediaType};
use sync_protocol::ids::ZoneId;
use sync_protocol::wire::AckStatus;

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
    let server = spawn_app()?;
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
        let outsider = server.device(user).await?;
        for method in [reqwest::Method::HEAD, reqwest::Method::GET] {
            let mut answers = Vec::new();
            for hash in [sha256_hex(&stored), sha256_hex(&partial), missing.clone()] {
                answers.push(answer(blob_request(&outsider, method.clone(), &hash).send().await?).await?);
            }
            assert_eq!(answers[0].0, StatusCode::NOT_FOUND, "{user} {method}");
            assert_eq!(answers[0], answers[2], "{user} {method}: existing vs missing");
            assert_eq!(answers[1], answers[2], "{user} {method}: partial vs missing");
        }
        let put_existing =
            answer(blob_request(&outsider, reqwest::Method::PUT, &sha256_hex(&partial)).body(vec![1u8; 10]).send().await?).await?;
        let put_missing = answer(blob_request(&outsider, reqwest::Method::PUT, &missing).body(vec![1u8; 10]).send().await?).await?;
        assert_eq!(put_existing, put_missing, "{user} PUT");
    }
    // The township's inspector may see the finding, so its evidence.
    let inspector = server.device("ti-t01-1").await?;
    assert_eq!(get(&inspector, &sha256_hex(&stored)).await?, (StatusCode::OK, stored.clone()));
    Ok(())
}

/// Issue 14: knowing a photo's hash is not holding it. An officer of another township names an
/// existing photo's hash in an attachment on their own finding: the event is kept, but the
/// reference unlocks nothing until its author sends the bytes, and every answer they get is the
/// answer for a photo nobody uploaded. One who does hold the bytes proves it by sending them, and
/// the server still stores them once.
#[tokio::test]
async fn knowing_a_photos_hash_does_not_unlock_it() -> Result<()> {
    let server = spawn_app()?;
    let (mut owner, _, finding) = officer_with_finding(&server).await?;
    let photo = jpeg(None, 60_000, 11);
    let hash = sha256_hex(&photo);
    assert_eq!(push(&mut owner, &attachment(finding, &photo, MediaType::Jpeg)).await?.0, AckStatus::Accepted);
    assert_eq!(put(&owner, &hash, 0, &photo).await?.0, StatusCode::CREATED);

    let mut outsider = server.device("vo-t02-v01").await?;
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
        let existing = answer(blob_request(&outsider, method.clone(), &hash).send().await?).await?;
        let missing = answer(blob_request(&outsider, method.clone(), &never_hash).send().await?).await?;
        assert_eq!(existing.0, StatusCode::NOT_FOUND, "{method}: the outsider reads the photo");
        assert_eq!(existing, missing, "{method}: existence leaks");
    }
    assert_eq!(head(&outsider, &hash).await?.1, Some(0), "the outsider is told to send the bytes from 0");
    // Nor does the reference unlock it for those who may read the outsider's finding.
    let their_inspector = server.device("ti-t02-1").await?;
    assert_eq!(get(&their_inspector, &hash).await?.0, StatusCode::NOT_FOUND);
    let (_, missing) = their_inspector.evidence_missing("").await?;
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
    let sent = answer(blob_request(&outsider, reqwest::Method::PUT, &hash).body(forged.clone()).send().await?).await?;
    let refused = blanked(sent, &hash, &forged);
    let sent = answer(blob_request(&outsider, reqwest::Method::PUT, &never_hash).body(forged_never.clone()).send().await?).await?;
    let refused_never = blanked(sent, &never_hash, &forged_never);
    assert_eq!(refused.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused, refused_never);
    // The owner and the owner's inspector still read it.
    assert_eq!(get(&owner, &hash).await?, (StatusCode::OK, photo.clone()));
    assert_eq!(get(&server.device("ti-t01-1").await?, &hash).await?, (StatusCode::OK, photo.clone()));

    // Holding the bytes is proved by sending them: answered as any first upload, stored once.
    let proved = put(&outsider, &hash, 0, &photo).await?;
    let first = put(&outsider, &never_hash, 0, &never).await?;
    assert_eq!((proved.0, first.0), (StatusCode::CREATED, StatusCode::CREATED));
    assert_eq!(get(&outsider, &hash).await?, (StatusCode::OK, photo.clone()));
    assert_eq!(get(&their_inspector, &hash).await?.0, StatusCode::OK);
    assert_eq!(blob_files(server.dir.path()).len(), 2, "the photo and the other one, each once");
    Ok(())
}
