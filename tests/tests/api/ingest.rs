//! The server's ingest rules end to end, with a raw protocol device against the real server
//! process: acks, idempotency, integrity, gaps and chains, authorship, and durable acks.

use anyhow::Result;
use patrolsync_server::args;
use patrolsync_tests::app::{TestApp, spawn_app};
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::{DEMO_PASSWORD, tracks};
use serde_json::json;
use sync_protocol::ids::ZoneId;
use sync_protocol::wire::{AckStatus, RejectReason};

const OFFICER: &str = "vo-t01-v01";

fn zone() -> ZoneId {
    ZoneId::new("Z-T01-V01").expect("zone id")
}

async fn officer(server: &TestApp) -> Result<RawDevice> {
    let mut d = RawDevice::new(&server.url(), OFFICER)?;
    d.login(DEMO_PASSWORD).await?;
    Ok(d)
}

fn count(server: &TestApp, sql: &str) -> i64 {
    server.sql().expect("store").count(sql, &[]).expect("count")
}

fn statuses(response: &sync_protocol::wire::SyncResponse<sync_protocol::event::Event>) -> Vec<(AckStatus, Option<RejectReason>)> {
    response.acks.iter().map(|a| (a.status, a.reason)).collect()
}

#[tokio::test]
async fn a_resent_batch_is_acknowledged_as_duplicate_and_changes_nothing() -> Result<()> {
    let server = spawn_app()?;
    let mut d = officer(&server).await?;
    let start = now_ms() as i64 - 3_600_000;
    let events: Vec<_> = (0..5).map(|i| d.seal(&tracks::patrol(&zone(), start + i * 60_000, 20, i as u64))).collect();
    let first = d.sync(&events).await?;
    assert!(first.acks.iter().all(|a| a.status == AckStatus::Accepted), "{:?}", first.acks);
    assert_eq!(first.next_seq, 6);
    let before = count(&server, "SELECT count(*) FROM events");
    let again = d.sync(&events).await?;
    assert!(again.acks.iter().all(|a| a.status == AckStatus::Duplicate), "{:?}", again.acks);
    assert_eq!(count(&server, "SELECT count(*) FROM events"), before);
    assert_eq!(count(&server, "SELECT count(*) FROM quarantine"), 0);
    Ok(())
}

#[tokio::test]
async fn the_same_id_with_another_hash_is_rejected_and_flagged_never_merged() -> Result<()> {
    let server = spawn_app()?;
    let mut d = officer(&server).await?;
    let original = d.seal(&tracks::patrol(&zone(), now_ms() as i64 - 3_600_000, 20, 1));
    d.sync(std::slice::from_ref(&original)).await?;
    // The same id and seq, other content, properly re-signed by the same key: a cloned device.
    let mut forged = original.clone();
    forged.body["summary"] = json!("nothing happened here");
    let forged = forged.draft().seal(&d.key)?;
    let response = d.sync(&[forged]).await?;
    assert_eq!(statuses(&response), vec![(AckStatus::Rejected, Some(RejectReason::IdConflict))]);
    assert_eq!(count(&server, "SELECT count(*) FROM flags WHERE kind = 'tampering:id_conflict'"), 1);
    let stored: String = server.sql()?.value("SELECT raw FROM events WHERE kind = 'patrol.recorded'", &[])?;
    assert!(!stored.contains("nothing happened here"), "the forged body must not be merged");
    Ok(())
}

#[tokio::test]
async fn a_gap_or_a_broken_chain_is_answered_with_the_expected_seq_and_recovers() -> Result<()> {
    let server = spawn_app()?;
    let mut d = officer(&server).await?;
    let start = now_ms() as i64 - 3_600_000;
    let e1 = d.seal(&tracks::patrol(&zone(), start, 20, 1));
    let e2 = d.seal(&tracks::patrol(&zone(), start + 60_000, 20, 2));
    let e3 = d.seal(&tracks::patrol(&zone(), start + 120_000, 20, 3));
    d.sync(&[e1]).await?;
    let gap = d.sync(std::slice::from_ref(&e3)).await?;
    assert_eq!(statuses(&gap), vec![(AckStatus::Rejected, Some(RejectReason::Gap))]);
    assert_eq!(gap.acks[0].expected_seq, Some(2));
    assert_eq!(gap.next_seq, 2);
    // A second device history forked at seq 2: right seq, wrong prev.
    let mut fork = e2.clone();
    fork.prev = sync_protocol::crypto::Hash([9; 32]);
    let fork = fork.draft().seal(&d.key)?;
    let broken = d.sync(&[fork]).await?;
    assert_eq!(statuses(&broken), vec![(AckStatus::Rejected, Some(RejectReason::BrokenChain))]);
    assert_eq!(broken.acks[0].expected_seq, Some(2));
    // Resending from the expected seq succeeds.
    let recovered = d.sync(&[e2, e3]).await?;
    assert!(recovered.acks.iter().all(|a| a.status == AckStatus::Accepted), "{:?}", recovered.acks);
    assert_eq!(recovered.next_seq, 4);
    Ok(())
}

#[tokio::test]
async fn forged_authors_bad_signatures_and_bad_hashes_are_quarantined() -> Result<()> {
    let server = spawn_app()?;
    let mut d = officer(&server).await?;
    let start = now_ms() as i64 - 3_600_000;
    let good = d.seal(&tracks::patrol(&zone(), start, 20, 1));
    let mut other_author = good.clone();
    other_author.author = sync_protocol::ids::UserId::new("vo-t01-v02")?;
    let other_author = other_author.draft().seal(&d.key)?;
    let mut bad_sig = good.clone();
    bad_sig.sig = sync_protocol::crypto::DeviceKey::from_secret([1; 32]).sign(&good.hash);
    let mut bad_hash = good.clone();
    bad_hash.body["summary"] = json!("edited after signing");
    let response = d.sync(&[other_author, bad_sig, bad_hash]).await?;
    assert_eq!(
        statuses(&response),
        vec![
            (AckStatus::Rejected, Some(RejectReason::WrongAuthor)),
            (AckStatus::Rejected, Some(RejectReason::BadSignature)),
            (AckStatus::Rejected, Some(RejectReason::BadHash)),
        ]
    );
    assert_eq!(count(&server, "SELECT count(*) FROM quarantine"), 3);
    assert_eq!(count(&server, "SELECT count(*) FROM flags WHERE kind = 'tampering:bad_signature'"), 1, "kept, and flagged");
    assert_eq!(count(&server, "SELECT count(*) FROM flags WHERE kind = 'tampering:bad_hash'"), 1);
    assert_eq!(count(&server, "SELECT count(*) FROM events WHERE kind = 'patrol.recorded'"), 0);
    // The genuine event still goes through afterwards.
    let ok = d.sync(&[good]).await?;
    assert_eq!(statuses(&ok), vec![(AckStatus::Accepted, None)]);
    Ok(())
}

#[tokio::test]
async fn a_rejected_event_keeps_its_place_and_never_blocks_the_ones_behind_it() -> Result<()> {
    let server = spawn_app()?;
    let mut d = officer(&server).await?;
    let start = now_ms() as i64 - 3_600_000;
    let not_mine = d.seal(&tracks::patrol(&ZoneId::new("Z-T02-V01")?, start, 20, 1));
    let unknown = d.seal_value("patrol.teleported", json!({"v": 1}));
    let invalid = d.seal_value("patrol.recorded", json!({"v": 1, "zone": "Z-T01-V01"}));
    let server_only = d.seal_value("assignment.set", json!({"v": 1, "officer": OFFICER, "zone": "Z-T02-V01", "from": start}));
    let fine = d.seal(&tracks::patrol(&zone(), start + 60_000, 20, 2));
    let batch = [not_mine, unknown, invalid, server_only, fine];
    let response = d.sync(&batch).await?;
    let expected = vec![
        (AckStatus::Rejected, Some(RejectReason::NotAllowed)),
        (AckStatus::Rejected, Some(RejectReason::UnknownKind)),
        (AckStatus::Rejected, Some(RejectReason::InvalidBody)),
        (AckStatus::Rejected, Some(RejectReason::NotAllowed)),
        (AckStatus::Accepted, None),
    ];
    assert_eq!(statuses(&response), expected);
    // Resent (a lost reply): the same answers, and nothing is stored twice.
    let again = d.sync(&batch).await?;
    let mut resent = expected.clone();
    resent[4] = (AckStatus::Duplicate, None);
    assert_eq!(statuses(&again), resent);
    assert_eq!(
        statuses(&response),
        vec![
            (AckStatus::Rejected, Some(RejectReason::NotAllowed)),
            (AckStatus::Rejected, Some(RejectReason::UnknownKind)),
            (AckStatus::Rejected, Some(RejectReason::InvalidBody)),
            (AckStatus::Rejected, Some(RejectReason::NotAllowed)),
            (AckStatus::Accepted, None),
        ]
    );
    assert_eq!(response.next_seq, 6);
    assert_eq!(count(&server, "SELECT count(*) FROM events WHERE accepted = FALSE"), 4);
    // Rejected events are kept as evidence but never pulled.
    let mut auditor = RawDevice::new(&server.url(), "ca-1")?;
    auditor.login(DEMO_PASSWORD).await?;
    let pulled = auditor.pull_all().await?;
    assert_eq!(pulled.iter().filter(|e| e.device_id == d.device).count(), 1);
    Ok(())
}

/// A device whose clock runs two days ahead, past the tolerance (`clock_tolerance_s`, 24 h): its
/// event is accepted (accept and flag), flagged `clock_skew` naming it, and its clock is not merged
/// into the server's. An hour ahead, within the tolerance, is no skew.
#[tokio::test]
async fn a_device_clock_far_ahead_is_accepted_and_flagged_clock_skew() -> Result<()> {
    let server = spawn_app()?;
    let mut d = officer(&server).await?;
    let skew_flags = |event: &sync_protocol::event::Event| -> Result<i64> {
        let sql = "SELECT count(*) FROM flags WHERE kind = 'clock_skew' AND event_id = ?1";
        server.sql()?.count(sql, args![event.id.0.as_bytes()])
    };
    let walked = now_ms() as i64 - 3_600_000;
    d.hlc = sync_protocol::hlc::Hlc::new(now_ms() + 3_600_000, 0);
    let near = d.seal(&tracks::patrol(&zone(), walked, 20, 1));
    let reply = d.sync(std::slice::from_ref(&near)).await?;
    assert_eq!(statuses(&reply), vec![(AckStatus::Accepted, None)]);
    assert_eq!(skew_flags(&near)?, 0, "an hour ahead is within the tolerance");

    d.hlc = sync_protocol::hlc::Hlc::new(now_ms() + 2 * 86_400_000, 0);
    let far = d.seal(&tracks::patrol(&zone(), walked + 1_800_000, 20, 2));
    let reply = d.sync(std::slice::from_ref(&far)).await?;
    assert_eq!(statuses(&reply), vec![(AckStatus::Accepted, None)], "accepted and flagged, never dropped");
    assert_eq!(skew_flags(&far)?, 1);
    assert!(reply.hlc.ms < far.hlc.ms, "the server's clock {} was dragged to the device's {}", reply.hlc, far.hlc);
    Ok(())
}
