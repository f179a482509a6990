//! Uploads: a PUT cut off half way resumes from the server's offset and completes with exactly
//! the original bytes; bytes that do not match their hash or type are refused and never visible;
//! a photo two events name is stored once; and evidence whose bytes have not all arrived is listed
//! for the scope until they do.

use anyhow::{Context, Result};
use patrolsync_tests::app::spawn_app;
use patrolsync_tests::evidence::{
    OFFICER, attachment, blob_files, get, head, officer_with_finding, push, put, put_cut_off, settled_offset,
};
use patrolsync_tests::photo::{jpeg, sha256_hex};
use reqwest::StatusCode;
use std::time::Duration;
use sync_protocol::body::{Body, MediaType, Subject, SubjectKind};
use sync_protocol::wire::AckStatus;

#[tokio::test]
async fn an_upload_cut_off_half_way_resumes_and_completes_with_exactly_the_original_bytes() -> Result<()> {
    let server = spawn_app()?;
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
    let server = spawn_app()?;
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
    let server = spawn_app()?;
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
    let store = server.sql()?;
    let (blobs, attachments) = (store.count("SELECT count(*) FROM blobs", &[])?, store.count("SELECT count(*) FROM attachments", &[])?);
    assert_eq!((blobs, attachments), (1, 2));
    Ok(())
}

#[tokio::test]
async fn missing_evidence_is_listed_for_the_scope_until_its_bytes_arrive() -> Result<()> {
    let server = spawn_app()?;
    let (mut d, _, finding) = officer_with_finding(&server).await?;
    let photo = jpeg(None, 40_000, 10);
    let hash = sha256_hex(&photo);
    push(&mut d, &attachment(finding, &photo, MediaType::Jpeg)).await?;
    put(&d, &hash, 0, &photo[..15_000]).await?;
    let inspector = server.device("ti-t01-1").await?;
    let (status, list) = inspector.evidence_missing("").await?;
    assert_eq!(status, StatusCode::OK);
    let missing = list["missing"].as_array().context("missing")?;
    assert_eq!(missing.len(), 1, "{list}");
    assert_eq!(missing[0]["sha256"], hash.as_str());
    assert_eq!(missing[0]["officer"], OFFICER);
    assert_eq!(missing[0]["village"], "T01-V01");
    assert_eq!(missing[0]["township"], "T01");
    assert_eq!(missing[0]["received"], 15_000);
    assert_eq!(missing[0]["subject"]["kind"], "finding");
    let elsewhere = server.device("ti-t03-1").await?;
    assert_eq!(elsewhere.evidence_missing("").await?.1["missing"].as_array().map(Vec::len), Some(0));
    put(&d, &hash, 15_000, &photo[15_000..]).await?;
    assert_eq!(inspector.evidence_missing("").await?.1["missing"].as_array().map(Vec::len), Some(0));
    Ok(())
}
