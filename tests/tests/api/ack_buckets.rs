//! Acks name the buckets of the events they acknowledge (the server leaves a device's own events
//! out of its pages, so this is how the device learns where they are): on `accepted` from the
//! routes just computed, on `duplicate` from the stored routes; never on a rejection.

use anyhow::Result;
use patrolsync_tests::app::spawn_app;
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::{DEMO_PASSWORD, tracks};
use sync_protocol::ids::{UnitId, ZoneId};
use sync_protocol::scope::Bucket;
use sync_protocol::wire::{AckStatus, RejectReason};

#[tokio::test]
async fn accepted_and_duplicate_acks_list_the_event_buckets_and_rejections_none() -> Result<()> {
    let server = spawn_app()?;
    let mut d = RawDevice::new(&server.url(), "vo-t01-v01")?;
    d.login(DEMO_PASSWORD).await?;
    let start = now_ms() as i64 - 3_600_000;
    let mine = d.seal(&tracks::patrol(&ZoneId::new("Z-T01-V01")?, start, 20, 1));
    let not_mine = d.seal(&tracks::patrol(&ZoneId::new("Z-T02-V01")?, start + 60_000, 20, 2));
    let events = [mine, not_mine];
    let routed = vec![Bucket::Village(UnitId::new("T01-V01")?), Bucket::Township(UnitId::new("T01")?)];

    for expected in [AckStatus::Accepted, AckStatus::Duplicate] {
        let r = d.sync(&events).await?;
        assert_eq!((r.acks[0].status, &r.acks[0].buckets), (expected, &routed), "{:?}", r.acks);
        assert_eq!((r.acks[1].status, r.acks[1].reason), (AckStatus::Rejected, Some(RejectReason::NotAllowed)));
        assert!(r.acks[1].buckets.is_empty(), "{:?}", r.acks[1]);
        let json = serde_json::to_value(&r.acks)?;
        assert_eq!(json[0]["buckets"], serde_json::json!(["village:T01-V01", "township:T01"]));
        assert!(json[1].get("buckets").is_none(), "a rejected ack is as it was: {json}");
    }
    Ok(())
}
