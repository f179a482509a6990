//! The county's integrity check of the store: every stored event re-hashed, its signature checked
//! with its device's enrolled key, and every device's chain walked (seq from 1 with no gap, each
//! `prev` the previous event's hash). Each break is reported with where it is.

use std::collections::HashMap;
use sync_protocol::crypto::{Hash, PublicKey};
use sync_protocol::event::Event;
use sync_protocol::ids::{DeviceId, EventId};

use super::StoreError;
use crate::args;
use crate::store::audit::{ChainBreak, IntegrityReport};
use crate::store::sql::Sql;

struct Row {
    server_seq: i64,
    id: Vec<u8>,
    device: Vec<u8>,
    seq: u64,
    hash: Vec<u8>,
    raw: String,
}

/// Checks every event of the log, device by device in chain order.
pub fn check(conn: &dyn Sql) -> Result<IntegrityReport, StoreError> {
    let keys = device_keys(conn)?;
    let mut report = IntegrityReport { events_checked: 0, devices_checked: 0, breaks: Vec::new() };
    let mut chain: Option<(Vec<u8>, u64, Hash)> = None;
    let sql = "SELECT server_seq, id, device_id, seq, hash, raw FROM events ORDER BY device_id, seq";
    conn.each(sql, args![], &mut |mut r| {
        let row =
            Row { server_seq: r.get(0)?, id: r.get(1)?, device: r.get(2)?, seq: r.get(3)?, hash: r.get(4)?, raw: take_text(&mut r, 5)? };
        report.events_checked += 1;
        let (expected_seq, prev) = match &chain {
            Some((device, seq, hash)) if device == &row.device => (seq + 1, *hash),
            _ => {
                report.devices_checked += 1;
                (1, Hash::ZERO)
            }
        };
        let device = DeviceId(uuid::Uuid::from_slice(&row.device).unwrap_or_default());
        let problems = problems(&row, device, expected_seq, prev, keys.get(&device));
        let stored_hash = row.hash.clone().try_into().map(Hash).unwrap_or(Hash::ZERO);
        chain = Some((row.device.clone(), row.seq, stored_hash));
        let event = uuid::Uuid::from_slice(&row.id).ok().map(EventId);
        report.breaks.extend(problems.into_iter().map(|problem| ChainBreak {
            device,
            seq: row.seq,
            server_seq: row.server_seq,
            event,
            problem,
        }));
        Ok(())
    })?;
    Ok(report)
}

/// Column `i` of `r` taken out as text (an event's stored text, not copied).
fn take_text(r: &mut crate::store::sql::Row, i: usize) -> Result<String, StoreError> {
    match r.take(i) {
        crate::store::sql::Value::Text(s) => Ok(s),
        _ => Err(StoreError::corrupt("events", "raw is not text")),
    }
}

/// What is wrong with one stored event, given what its chain expects.
fn problems(row: &Row, device: DeviceId, expected_seq: u64, prev: Hash, key: Option<&PublicKey>) -> Vec<String> {
    let mut out = Vec::new();
    if row.seq != expected_seq {
        out.push(format!("seq {} where the chain expects {expected_seq}", row.seq));
    }
    let event: Event = match serde_json::from_str(&row.raw) {
        Ok(e) => e,
        Err(e) => {
            out.push(format!("the stored text is not a readable event: {e}"));
            return out;
        }
    };
    if event.id.0.as_bytes()[..] != row.id[..] || event.device_id != device || event.seq != row.seq || event.hash.0[..] != row.hash[..] {
        out.push("the stored text disagrees with the stored id, device, seq or hash".into());
    }
    if event.check_hash().is_err() {
        out.push("the hash does not match the event's content (changed after it was stored)".into());
    } else if !key.is_some_and(|k| k.verify(&event.hash, &event.sig)) {
        out.push("the signature does not verify with the device's enrolled key".into());
    }
    if event.prev != prev {
        out.push("prev is not the hash of the device's previous event".into());
    }
    out
}

fn device_keys(conn: &dyn Sql) -> Result<HashMap<DeviceId, PublicKey>, StoreError> {
    let mut keys = HashMap::new();
    for row in conn.all("SELECT id, public_key FROM devices", args![])? {
        let (id, key) = (row.get::<Vec<u8>>(0)?, row.get::<Vec<u8>>(1)?);
        let corrupt = || StoreError::corrupt("devices", "bad id or key");
        let id = DeviceId(uuid::Uuid::from_slice(&id).map_err(|_| corrupt())?);
        let key: [u8; 32] = key.try_into().map_err(|_| corrupt())?;
        keys.insert(id, PublicKey(ed25519_dalek::VerifyingKey::from_bytes(&key).map_err(|_| corrupt())?));
    }
    Ok(keys)
}
