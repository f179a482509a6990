//! Scoped pulls against the demo county: a village officer sees their village, a township
//! inspector their township, the county everything; reassignment moves an officer's scope.

use anyhow::Result;
use patrolsync_tests::app::{TestApp, spawn_app};
use patrolsync_tests::raw::now_ms;
use patrolsync_tests::tracks;
use std::collections::BTreeSet;
use sync_protocol::body::{Body, PatrolRecorded};
use sync_protocol::event::Event;
use sync_protocol::ids::{UnitId, ZoneId};
use sync_protocol::scope::Bucket;
use sync_protocol::wire::{AckStatus, RejectReason};

fn patrol_zones(events: &[Event]) -> BTreeSet<String> {
    events
        .iter()
        .filter_map(|e| match Body::parse(&e.kind, &e.body) {
            Ok(Body::PatrolRecorded(PatrolRecorded { zone, .. })) => Some(zone.to_string()),
            _ => None,
        })
        .collect()
}

/// One patrol by each of four officers: two villages of T01, one of T02, one of T03.
async fn patrols_everywhere(server: &TestApp) -> Result<()> {
    let start = now_ms() as i64 - 3_600_000;
    for (i, user) in ["vo-t01-v01", "vo-t01-v02", "vo-t02-v01", "vo-t03-v01"].into_iter().enumerate() {
        let mut d = server.device(user).await?;
        let zone = ZoneId::new(format!("Z-{}", &user[3..].to_uppercase()))?;
        let e = d.seal(&tracks::patrol(&zone, start, 20, i as u64));
        let r = d.sync(&[e]).await?;
        assert_eq!(r.acks[0].status, AckStatus::Accepted, "{user}: {:?}", r.acks);
    }
    Ok(())
}

#[tokio::test]
async fn each_level_pulls_its_scope_and_nothing_else() -> Result<()> {
    let server = spawn_app()?;
    patrols_everywhere(&server).await?;
    let county = patrolsync_server::tools::demo::county();

    let mut officer = server.device("vo-t01-v01").await?;
    let pulled = officer.pull_all().await?;
    assert_eq!(patrol_zones(&pulled), BTreeSet::from(["Z-T01-V01".to_string()]));
    assert_eq!(officer.cursors.keys().cloned().collect::<Vec<_>>(), vec![Bucket::Village(UnitId::new("T01-V01")?)]);
    // The officer's reference data arrived too: their zone and their assignment.
    assert!(pulled.iter().any(|e| e.kind == "zone.defined" && e.body["zone"] == "Z-T01-V01"));
    assert!(pulled.iter().all(|e| e.body.get("zone").is_none_or(|z| z == "Z-T01-V01")), "no other zone's events");

    let inspector = county.inspectors_of(&UnitId::new("T01")?).next().expect("T01 has inspectors").user.clone();
    let mut inspector = server.device(inspector.as_str()).await?;
    let pulled = inspector.pull_all().await?;
    assert_eq!(patrol_zones(&pulled), BTreeSet::from(["Z-T01-V01".to_string(), "Z-T01-V02".to_string()]));

    let mut auditor = server.device("ca-1").await?;
    let pulled = auditor.pull_all().await?;
    assert_eq!(patrol_zones(&pulled).len(), 4);
    assert_eq!(pulled.iter().filter(|e| e.kind == "zone.defined").count(), 134);
    Ok(())
}

#[tokio::test]
async fn paging_delivers_every_event_once_in_commit_order() -> Result<()> {
    let server = spawn_app()?;
    let mut auditor = server.device("ca-1").await?;
    let mut seen = Vec::new();
    loop {
        let request = serde_json::json!({ "events": [], "cursors": auditor.cursors, "hlc": auditor.hlc, "limit": 37 });
        let (status, body) = auditor.post("/v1/sync", &serde_json::to_vec(&request)?).await?;
        assert_eq!(status, 200);
        let r: sync_protocol::wire::SyncResponse<Event> = serde_json::from_slice(&body)?;
        assert!(r.pages.iter().map(|p| p.events.len()).sum::<usize>() <= 37);
        for p in &r.pages {
            auditor.cursors.insert(p.bucket.clone(), p.cursor);
            seen.extend(p.events.iter().map(|e| e.id));
        }
        if !r.more() {
            break;
        }
    }
    let unique: BTreeSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no event twice");
    let stored = server.sql()?.count("SELECT count(*) FROM events WHERE accepted = TRUE", &[])?;
    assert_eq!(seen.len() as i64, stored);
    Ok(())
}

#[tokio::test]
async fn a_reassigned_officer_pulls_the_new_village_purges_the_old_and_still_pushes() -> Result<()> {
    let server = spawn_app()?;
    let mut officer = server.device("vo-t01-v01").await?;
    officer.pull_all().await?;
    let old = ZoneId::new("Z-T01-V01")?;
    let before = now_ms() as i64 - 3_600_000;
    // Recorded offline, before the reassignment: still the officer's to report.
    let recorded_before = officer.seal(&tracks::patrol(&old, before, 20, 1));

    let admin = server.device("admin").await?;
    let switch = now_ms() as i64;
    let body = serde_json::json!({ "officer": "vo-t01-v01", "zone": "Z-T01-V02", "from": switch });
    let (status, reply) = admin.post("/v1/admin/assignments", &serde_json::to_vec(&body)?).await?;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&reply));

    // Recorded offline after the switch, on the old zone the device did not yet know was gone.
    let recorded_after = officer.seal(&tracks::patrol(&old, switch + 60_000, 20, 2));
    let r = officer.sync(&[recorded_before, recorded_after]).await?;
    assert_eq!(r.acks[0].status, AckStatus::Accepted);
    assert_eq!((r.acks[1].status, r.acks[1].reason), (AckStatus::Rejected, Some(RejectReason::NotAllowed)));
    assert_eq!(r.purge, vec![Bucket::Village(UnitId::new("T01-V01")?)]);
    let new_bucket = Bucket::Village(UnitId::new("T01-V02")?);
    assert_eq!(r.pages.iter().map(|p| p.bucket.clone()).collect::<Vec<_>>(), vec![new_bucket.clone()]);
    let pulled: Vec<Event> = r.pages.into_iter().flat_map(|p| p.events).collect();
    assert!(pulled.iter().any(|e| e.kind == "zone.defined" && e.body["zone"] == "Z-T01-V02"), "the new village from its start");
    assert!(officer.cursors.contains_key(&new_bucket) && officer.cursors.len() == 1);
    Ok(())
}
