//! A replica written before the projection was kept in parts (schema version 3: one JSON
//! snapshot, no anchors) upgrades in place when opened: the same ledger, projection and checks.

use std::sync::Arc;

use sync_protocol::crypto::DeviceKey;
use sync_protocol::fold::samples::{SampleSpec, sample_drafts};
use sync_protocol::wire::{Ack, BucketPage, RejectReason};

use super::fixture::{Chain, DAY, Fixture, T0, reply, village};
use crate::replica::Replica;

/// The tables a version-3 replica has, as its code wrote them (the ledger tables' rows are the
/// same as now; `projections` held the whole fold; identities had no transport columns yet).
const COPIED: [(&str, &str); 12] = [
    ("settings", "key, value"),
    (
        "identities",
        "device_id, username, user_id, secret_key, server_url, access_token, token_expires_at, role, display_name, next_seq, \
         head_hash, hlc, created_at, last_sync_at, last_error, last_error_at, refresh_token, refresh_expires_at",
    ),
    ("events", "owner, id, device_id, seq, hlc, author, kind, hash, raw, received_at"),
    ("outbox", "*"),
    ("event_buckets", "*"),
    ("cursors", "*"),
    ("patrols", "*"),
    ("amendments", "*"),
    ("findings", "*"),
    ("zero_reports", "*"),
    ("conflicts", "*"),
    ("blobs", "*"),
];

/// A replica with own events (pending, sent, rejected) and pulled events of every kind.
fn filled() -> Fixture {
    let mut f = Fixture::new();
    f.assign_zone(&mut Chain::new("server", T0 - 40 * DAY));
    let ids = [f.patrol("sent"), f.patrol("rejected"), f.patrol("pending")];
    let specs: Vec<SampleSpec> =
        (0..60u8).map(|k| SampleSpec { kind: k.wrapping_mul(7), a: k % 5, b: k % 3, device: k % 3, at_s: u16::from(60 - k) }).collect();
    let pulled = sample_drafts(&specs)
        .into_iter()
        .map(|d| {
            let key = DeviceKey::from_secret([d.device_id.0.as_bytes()[15]; 32]);
            d.seal(&key).expect("canonical")
        })
        .collect();
    let acks = vec![
        Ack { buckets: vec![village()], ..Ack::accepted(ids[0], 1) },
        Ack::rejected(Some(ids[1]), Some(2), RejectReason::NotAllowed, "not assigned"),
    ];
    let me = f.me();
    let page = BucketPage { bucket: village(), events: pulled, cursor: 90, more: false, withheld: vec![] };
    f.replica.apply_reply(me.device_id, &ids[..2], &reply(acks, vec![page], me.next_seq)).expect("apply");
    f
}

#[test]
fn a_version_3_replica_upgrades_in_place_to_the_same_ledger() {
    let f = filled();
    let (ledger, projection) = (f.replica.ledger().expect("ledger"), f.replica.projection().expect("projection"));
    let patrol = *projection.patrols.keys().next().expect("a patrol");
    let verdict = f.replica.check_patrol(patrol).expect("verdict");

    let old = f.dir.path().join("version-3.db");
    let mut conn = rusqlite::Connection::open(&old).expect("old replica");
    schema::migrate(&mut conn, &schema::DEVICE[..3]).expect("version 3");
    conn.execute("ATTACH DATABASE ?1 AS now", [f.path().to_str().expect("path")]).expect("attach");
    for (table, columns) in COPIED {
        conn.execute(&format!("INSERT INTO main.{table} SELECT {columns} FROM now.{table}"), []).expect(table);
    }
    let snapshot = serde_json::to_string(&projection).expect("snapshot");
    let owner = f.me().device_id.to_string();
    conn.execute("INSERT INTO projections (owner, snapshot, updated_at) VALUES (?1, ?2, 0)", [&owner, &snapshot]).expect("projection");
    conn.execute("DETACH DATABASE now", []).expect("detach");
    drop(conn);

    let upgraded = Replica::open_with_clock(&old, Arc::new(f.clock.clone())).expect("opens and upgrades");
    assert_eq!(serde_json::to_value(upgraded.ledger().expect("ledger")).ok(), serde_json::to_value(&ledger).ok());
    assert_eq!(upgraded.projection().expect("projection"), projection);
    assert_eq!(upgraded.check_patrol(patrol).expect("verdict"), verdict);
    let rebuilds: i64 = upgraded.conn.query_row("SELECT count(*) FROM fold_rebuilds", [], |r| r.get(0)).expect("count");
    assert_eq!(rebuilds, 0, "each identity is rebuilt once");
}
