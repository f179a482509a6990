//! Replicas hold their scope only: a village officer their village, a township inspector their
//! township, each equal to the server's fold of it; a reassignment moves an officer's scope, and
//! what they recorded on the old zone after the switch is rejected with a reason.

use anyhow::{Context, Result};
use patrolsync_client::replica::{OutboxState, Replica};
use patrolsync_client::sync;
use patrolsync_tests::DEMO_PASSWORD;
use patrolsync_tests::app::spawn_app;
use patrolsync_tests::device::{local_projection, new_patrol, phone, replica_ids, server_projection, walk};
use patrolsync_tests::raw::{RawDevice, now_ms};
use std::collections::{BTreeMap, BTreeSet};
use sync_protocol::ids::{EventId, UnitId, ZoneId};
use sync_protocol::scope::Bucket;

fn zone(id: &str) -> ZoneId {
    ZoneId::new(id).expect("zone id")
}

fn patrol_ids(replica: &Replica) -> Result<BTreeSet<EventId>> {
    Ok(replica.projection()?.patrols.into_keys().collect())
}

#[tokio::test]
async fn replicas_hold_their_scope_only_and_a_reassignment_moves_it() -> Result<()> {
    let server = spawn_app()?;
    let url = server.url();
    let dir = tempfile::tempdir()?;
    let start = now_ms() as i64 - 8 * 3_600_000;
    let mut officers = BTreeMap::new();
    let mut mine: BTreeMap<&str, BTreeSet<EventId>> = BTreeMap::new();
    for (i, user) in ["vo-t01-v01", "vo-t01-v02", "vo-t02-v01"].into_iter().enumerate() {
        let mut replica = phone(&dir.path().join(format!("{user}.db")), &url, user).await?;
        sync::sync(&mut replica).await?;
        let zone = replica.assigned_zone(replica.now_ms())?;
        for k in 0..2 {
            let track = walk(&zone, start + k * 3_600_000, 5, i as u64);
            mine.entry(user).or_default().insert(replica.record_patrol(new_patrol(None, track, user))?);
        }
        sync::sync(&mut replica).await?;
        officers.insert(user, replica);
    }
    for replica in officers.values_mut() {
        sync::sync(replica).await?;
    }

    // A village officer holds their own village and nothing of any other.
    let v01 = officers.get_mut("vo-t01-v01").context("v01")?;
    assert_eq!(patrol_ids(v01)?, mine["vo-t01-v01"]);
    let zones: Vec<String> = replica_ids(
        &dir.path().join("vo-t01-v01.db"),
        "SELECT DISTINCT json_extract(raw, '$.body.zone') FROM events WHERE json_extract(raw, '$.body.zone') IS NOT NULL",
    )?;
    assert_eq!(zones, vec!["Z-T01-V01".to_string()]);
    assert_eq!(local_projection(v01)?, server_projection(v01, &url).await?);

    // A township inspector holds their township's villages and no other township.
    let county = patrolsync_server::tools::demo::county();
    let inspector = county.inspectors_of(&UnitId::new("T01")?).next().context("T01 inspector")?.user.clone();
    let mut ti = phone(&dir.path().join("inspector.db"), &url, inspector.as_str()).await?;
    sync::sync(&mut ti).await?;
    let t01: BTreeSet<EventId> = mine["vo-t01-v01"].union(&mine["vo-t01-v02"]).copied().collect();
    assert_eq!(patrol_ids(&ti)?, t01);
    assert!(ti.projection()?.zones.keys().all(|z| z.as_str().starts_with("Z-T01-")));
    assert_eq!(local_projection(&ti)?, server_projection(&ti, &url).await?);

    // Reassignment: recorded offline before the switch (allowed) and after it on the old zone.
    let v01 = officers.get_mut("vo-t01-v01").context("v01")?;
    let switch = now_ms() as i64 - 1_800_000;
    let before = v01.record_patrol(new_patrol(None, walk(&zone("Z-T01-V01"), switch - 3_600_000, 5, 7), "before the switch"))?;
    let after = v01.record_patrol(new_patrol(None, walk(&zone("Z-T01-V01"), switch + 300_000, 5, 8), "after the switch"))?;
    let mut admin = RawDevice::new(&url, "admin")?;
    admin.login(DEMO_PASSWORD).await?;
    let body = serde_json::json!({ "officer": "vo-t01-v01", "zone": "Z-T01-V02", "from": switch });
    let (status, reply) = admin.post("/v1/admin/assignments", &serde_json::to_vec(&body)?).await?;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&reply));

    let report = sync::sync(v01).await?;
    assert_eq!((report.accepted, report.rejected, report.pending), (1, 1, 0), "{report:?}");
    assert_eq!(v01.outbox_state(before)?, Some(OutboxState::Sent));
    let rejected = v01.rejected()?;
    assert_eq!(rejected.len(), 1);
    assert_eq!((rejected[0].event_id.as_str(), rejected[0].reason.as_str()), (after.to_string().as_str(), "not_allowed"));
    assert_eq!(v01.cursors()?.into_keys().collect::<Vec<_>>(), vec![Bucket::Village(UnitId::new("T01-V02")?)]);
    let p = v01.projection()?;
    assert!(p.zones.contains_key(&zone("Z-T01-V02")) && !p.zones.contains_key(&zone("Z-T01-V01")), "old village purged");
    assert!(mine["vo-t01-v02"].iter().all(|id| p.patrols.contains_key(id)), "the new village from its start");
    // The old village's own sent patrols (synced earlier, and `before`, accepted in this very
    // sync) are out of scope now: they leave the fold, as they are not in the server's fold of the
    // new village, but stay in the outbox as history. `after` is visible as rejected.
    assert!(!p.patrols.contains_key(&before) && !p.patrols.contains_key(&after));
    assert!(mine["vo-t01-v01"].iter().all(|id| !p.patrols.contains_key(id)), "old village's own sent patrols left the fold");
    assert!(mine["vo-t01-v01"].iter().all(|id| v01.outbox_state(*id).ok().flatten() == Some(OutboxState::Sent)), "own events kept");
    assert!(v01.ledger()?.patrols.iter().any(|l| l.row.patrol == after.to_string() && l.sync == "rejected"), "the rejected one is shown");
    assert_eq!(local_projection(v01)?, server_projection(v01, &url).await?, "the replica folds what the server folds for the new scope");

    // The next sync changes nothing, and a patrol in the new zone joins the fold.
    sync::sync(v01).await?;
    let now = v01.record_patrol(new_patrol(None, walk(&zone("Z-T01-V02"), now_ms() as i64 - 600_000, 5, 9), "new village"))?;
    let report = sync::sync(v01).await?;
    assert_eq!((report.accepted, report.pending), (1, 0), "{report:?}");
    assert!(v01.projection()?.patrols.contains_key(&now));
    assert_eq!(local_projection(v01)?, server_projection(v01, &url).await?);
    Ok(())
}
