//! Evidence on tips and cases through the real server: a township inspector attaches photos to a
//! case and a tip from the phone (`attach --case`, `attach --tip`), the phone uploads the bytes,
//! the county section fetches them, and the village officers (even the one asked to check the tip)
//! neither see the blobs nor may attach to a tip or case themselves.

use anyhow::{Context, Result};
use patrolsync_tests::app::spawn_app;
use patrolsync_tests::device::DeviceCli;
use patrolsync_tests::photo::{jpeg, sha256_hex};
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::{DEMO_PASSWORD, office, tracks};
use reqwest::StatusCode;
use sync_protocol::body::{Body, FindingKind, SubjectKind};
use sync_protocol::ids::{EventId, ZoneId};
use sync_protocol::wire::{AckStatus, RejectReason};

/// Pushes one body; returns its id, status and reason.
async fn push(d: &mut RawDevice, body: &Body) -> Result<(EventId, AckStatus, Option<RejectReason>)> {
    let e = d.seal(body);
    let r = d.sync(std::slice::from_ref(&e)).await?;
    Ok((e.id, r.acks[0].status, r.acks[0].reason))
}

async fn accepted(d: &mut RawDevice, body: &Body) -> Result<EventId> {
    let (id, status, reason) = push(d, body).await?;
    anyhow::ensure!(status == AckStatus::Accepted, "{} by {}: {reason:?}", body.kind(), d.user);
    Ok(id)
}

async fn blob(d: &RawDevice, hash: &str) -> Result<(StatusCode, Vec<u8>)> {
    let response = d.http.get(format!("{}/v1/blobs/{hash}", d.url)).bearer_auth(d.token.clone().unwrap_or_default()).send().await?;
    Ok((response.status(), response.bytes().await?.to_vec()))
}

#[tokio::test]
async fn an_inspectors_evidence_on_a_case_and_a_tip_reaches_the_county_and_no_village() -> Result<()> {
    let server = spawn_app()?;
    let zone = ZoneId::new("Z-T03-V02")?;
    let mut officer = server.device("vo-t03-v02").await?;
    let start = now_ms() as i64 - 3 * 3_600_000;
    let patrol = accepted(&mut officer, &tracks::patrol(&zone, start, 40, 5)).await?;
    let finding = accepted(&mut officer, &tracks::finding(&zone, patrol, start + 600_000, FindingKind::UnlicensedMining, None)).await?;
    let mut inspector = server.device("ti-t03-1").await?;
    let case = accepted(&mut inspector, &office::open_on_finding(finding, "T03")).await?;
    let tip = accepted(&mut inspector, &office::tip_received("T03", now_ms() as i64 - 60_000)).await?;
    accepted(&mut inspector, &office::assign_tip(tip, "T03", "T03-V02")).await?;

    // The inspector's phone attaches a photo to each and syncs: events, then bytes.
    let dir = tempfile::tempdir()?;
    let phone = DeviceCli::new(dir.path().join("inspector.db"));
    phone.login(&server.url(), "ti-t03-2", DEMO_PASSWORD)?;
    phone.run(&["sync"])?;
    let (on_case, on_tip) = (jpeg(None, 3_000, 11), jpeg(None, 3_000, 12));
    std::fs::write(dir.path().join("case.jpg"), &on_case)?;
    std::fs::write(dir.path().join("tip.jpg"), &on_tip)?;
    let path = |name: &str| dir.path().join(name).to_str().map(str::to_owned).context("path");
    phone.run(&["attach", "--case", &case.to_string(), "--file", &path("case.jpg")?])?;
    phone.run(&["attach", "--tip", &tip.to_string(), "--file", &path("tip.jpg")?])?;
    let said = phone.run(&["sync"])?;
    assert!(said.contains("2 uploaded"), "{said}");

    let county = server.device("ca-1").await?;
    let elsewhere = server.device("ti-t01-1").await?;
    for bytes in [&on_case, &on_tip] {
        let hash = sha256_hex(bytes);
        assert_eq!(blob(&county, &hash).await?, (StatusCode::OK, bytes.clone()), "the county fetches it");
        assert_eq!(blob(&inspector, &hash).await?.0, StatusCode::OK, "the township's other inspector too");
        assert_eq!(blob(&officer, &hash).await?.0, StatusCode::NOT_FOUND, "the village asked to check sees none");
        assert_eq!(blob(&elsewhere, &hash).await?.0, StatusCode::NOT_FOUND, "nor another township");
    }
    let pulled = officer.pull_all().await?;
    assert!(!pulled.iter().any(|e| e.kind == "attachment.added"), "no tip or case evidence in a village bucket");

    // Who may attach: the county section yes; the village officer and another township no.
    let extra = jpeg(None, 500, 13);
    accepted(&mut server.device("ca-1").await?, &patrolsync_tests::photo::jpeg_attachment(SubjectKind::Case, case, &extra)).await?;
    // Its bytes were never sent: the township's reconciliation lists it, and only it.
    let (status, r) = county.reconciliation("township=T03").await?;
    assert_eq!(status, StatusCode::OK, "{r}");
    let missing = r["evidence_missing"].as_array().context("evidence_missing")?;
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert_eq!(missing[0]["sha256"], sha256_hex(&extra));
    assert_eq!(missing[0]["subject"]["kind"], "case");
    assert_eq!(missing[0]["township"], "T03");
    for (kind, id) in [(SubjectKind::Tip, tip), (SubjectKind::Case, case)] {
        let (_, status, reason) = push(&mut officer, &patrolsync_tests::photo::jpeg_attachment(kind, id, &extra)).await?;
        assert_eq!((status, reason), (AckStatus::Rejected, Some(RejectReason::NotAllowed)), "{kind:?}");
    }
    let mut elsewhere = elsewhere;
    let (_, status, reason) = push(&mut elsewhere, &patrolsync_tests::photo::jpeg_attachment(SubjectKind::Case, case, &extra)).await?;
    assert_eq!((status, reason), (AckStatus::Rejected, Some(RejectReason::NotAllowed)));
    Ok(())
}
