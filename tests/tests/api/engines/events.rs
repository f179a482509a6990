//! The event log's rows (`store::events`) on both engines, as the writer's side of a push uses
//! them: events stored (accepted and kept as rejected) with the `server_seq` the writer assigns,
//! their routes, a quarantined push, the chain head moved forward and never back, what admission
//! reads back (by id, by place in the chain, the buckets of a duplicate), and each row's leaf in
//! the tamper-evident log. The same calls give the same values and the same log on both.

use anyhow::{Result, ensure};
use patrolsync_server::args;
use patrolsync_server::store::events::{self, Quarantined};
use patrolsync_server::store::log::{LeafRow, LogHead, Rows, leaf_hashes};
use patrolsync_server::store::sql::Sql;
use sync_protocol::admit::{ChainHead, Stored};
use sync_protocol::crypto::{DeviceKey, Hash};
use sync_protocol::event::{Event, EventDraft};
use sync_protocol::hlc::Hlc;
use sync_protocol::ids::{DeviceId, EventId, UserId};
use sync_protocol::merkle::LogLeaf;
use sync_protocol::scope::Bucket;
use sync_protocol::wire::RejectReason;

/// The scenario's device and its chain of three events, the same on every run.
fn chain() -> Result<(DeviceId, Vec<Event>)> {
    let device = DeviceId(uuid::Uuid::from_u128(0xd));
    let key = DeviceKey::from_secret([5; 32]);
    let mut prev = Hash::ZERO;
    let mut chain = Vec::new();
    for seq in 1..=3u64 {
        let draft = EventDraft {
            id: EventId(uuid::Uuid::from_u128(u128::from(seq))),
            device_id: device,
            seq,
            hlc: Hlc::new(1_700_000_000_000 + seq, 0),
            author: UserId::new("officer-1")?,
            kind: "zero_report.filed".into(),
            body: serde_json::json!({ "n": seq }),
            prev,
        };
        let event = draft.seal(&key)?;
        prev = event.hash;
        chain.push(event);
    }
    Ok((device, chain))
}

/// What the scenario read back from an engine.
#[derive(Debug, PartialEq)]
struct Seen {
    seqs: Vec<i64>,
    quarantine_id: i64,
    by_id: Vec<Option<Stored>>,
    at_seq: Vec<Option<Stored>>,
    buckets: Vec<Vec<Bucket>>,
    head: ChainHead,
    last_sync_at: Option<i64>,
    leaves: Vec<Hash>,
    root: Hash,
}

fn scenario(sql: &dyn Sql) -> Result<Seen> {
    let (device, chain) = chain()?;
    sql.run(
        "INSERT INTO users (id, display_name, role, units, password_hash) VALUES ('officer-1', 'O', 'village_officer', '[]', '')",
        args![],
    )?;
    sql.run(
        "INSERT INTO devices (id, user_id, public_key, enrolled_at, head_hash) VALUES (?1, 'officer-1', ?2, 1, ?3)",
        args![device.0.as_bytes(), &[1u8; 32], &Hash::ZERO.0],
    )?;
    ensure!(events::stored_by_ids(sql, &[chain[0].id])?.is_empty() && events::stored_at_seq(sql, device, 1)?.is_none());
    ensure!(events::chain_head(sql, device)? == ChainHead { seq: 0, hash: Hash::ZERO });
    ensure!(events::chain_head(sql, DeviceId(uuid::Uuid::from_u128(0xe))).is_err(), "an unknown device is not found");

    let mut log = LogHead::default();
    let buckets = ["village:v1".parse()?, "township:t1".parse()?];
    let (mut seqs, mut last) = (Vec::new(), None);
    for (event, reason) in chain.iter().zip([None, Some(RejectReason::NotAllowed), None]) {
        let server_seq = events::insert_event(sql, &mut last, event, &serde_json::to_string(event)?, reason.is_none(), reason, 10)?;
        let seq = u64::try_from(server_seq)?;
        let leaf = match reason {
            None => LogLeaf::Event { server_seq: seq, hash: event.hash },
            Some(reason) => LogLeaf::RejectedEvent { server_seq: seq, hash: event.hash, reason },
        };
        log.append(&mut Rows(sql), LeafRow::Event(server_seq), leaf)?;
        if reason.is_none() {
            events::insert_routes(sql, &buckets, server_seq)?;
        }
        seqs.push(server_seq);
    }
    let raw = "{\"id\": ";
    let quarantined =
        Quarantined { event: None, device: Some(device), seq: Some(4), reason: RejectReason::Malformed, message: "cut short", raw };
    let quarantine_id = events::insert_quarantine(sql, &quarantined, 11)?;
    log.append(
        &mut Rows(sql),
        LeafRow::Quarantine(quarantine_id),
        LogLeaf::quarantined(u64::try_from(quarantine_id)?, raw, RejectReason::Malformed),
    )?;

    let last = ChainHead { seq: 3, hash: chain[2].hash };
    events::save_head(sql, device, last, 12)?;
    events::save_head(sql, device, ChainHead { seq: 2, hash: chain[1].hash }, 13)?;
    ensure!(events::chain_head(sql, device)? == last, "a chain head never moves back");
    events::note_pull(sql, device, 14)?;

    let mut seen = Seen {
        seqs,
        quarantine_id,
        by_id: Vec::new(),
        at_seq: Vec::new(),
        buckets: Vec::new(),
        head: events::chain_head(sql, device)?,
        last_sync_at: sql.one("SELECT last_sync_at FROM devices WHERE id = ?1", args![device.0.as_bytes()])?.get(0)?,
        leaves: leaf_hashes(&mut Rows(sql), 4)?,
        root: log.frontier(&mut Rows(sql))?.root(),
    };
    for event in &chain {
        seen.by_id.push(events::stored_by_ids(sql, &[event.id])?.remove(&event.id));
        seen.at_seq.push(events::stored_at_seq(sql, device, event.seq)?);
        seen.buckets.push(events::stored_buckets(sql, &event.id)?);
    }
    // The frontier read afresh from the rows is the one the appends kept.
    ensure!(LogHead::default().frontier(&mut Rows(sql))?.root() == seen.root);
    Ok(seen)
}

#[test]
fn the_event_logs_rows_are_the_same_on_both_engines() -> Result<()> {
    let (on_sqlite, on_postgres) = super::on_both(scenario)?;

    let (_, chain) = chain()?;
    ensure!(on_sqlite.seqs == [1, 2, 3] && on_sqlite.quarantine_id == 1, "{on_sqlite:?}");
    ensure!(on_sqlite.by_id[1].as_ref().and_then(|s| s.rejected) == Some(RejectReason::NotAllowed));
    ensure!(on_sqlite.at_seq[2].as_ref().map(|s| s.hash) == Some(chain[2].hash));
    ensure!(on_sqlite.buckets[0].len() == 2 && on_sqlite.buckets[1].is_empty(), "a rejected event has no routes");
    ensure!(on_sqlite.last_sync_at == Some(14) && on_sqlite.leaves.len() == 4);
    ensure!(on_sqlite == on_postgres, "SQLite saw {on_sqlite:?}\nPostgreSQL saw {on_postgres:?}");
    Ok(())
}
