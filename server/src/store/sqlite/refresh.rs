//! Noticing commits by another process (an admin's `patrolsync-server reference import` beside a
//! running server): the writer's caches are then stale, so they are reloaded before the next batch.
//!
//! SQLite's `PRAGMA data_version` changes for a connection whenever *another* connection has
//! committed, never for its own commits. The writer reads it at the start of each batch, inside
//! its (immediate) transaction, so nothing can commit between the check and the batch's writes.

use rusqlite::Connection;
use std::collections::HashMap;
use std::sync::Mutex;
use sync_protocol::admit::ChainHead;
use sync_protocol::hlc::Hlc;
use sync_protocol::ids::DeviceId;

use super::StoreError;
use crate::store::jobs::reference::Reference;

/// The data version seen at the writer's last check.
#[derive(Debug, Default)]
pub struct Refresh {
    seen: Option<i64>,
}

impl Refresh {
    /// Reloads the caches if another connection committed since the last call: the reference copy,
    /// the chain heads (another process may have authored on the server's chain) and the clock
    /// (so that later reference events order after the other process's). The first call only
    /// takes note of the version. Returns whether another connection committed, so that the
    /// caller can drop what else it caches.
    pub fn check(
        &mut self,
        conn: &Connection,
        reference: &mut Reference,
        heads: &mut HashMap<DeviceId, ChainHead>,
        clock: &Mutex<Hlc>,
    ) -> bool {
        let version = conn.query_row("PRAGMA data_version", [], |r| r.get::<_, i64>(0)).ok();
        let changed = match (self.seen, version) {
            (Some(seen), Some(now)) => seen != now,
            (None, Some(_)) => false,
            (_, None) => true,
        };
        self.seen = version;
        if changed {
            tracing::info!("the store was changed by another process: reloading the writer's caches");
            heads.clear();
            if let Err(e) = reload(conn, reference, clock) {
                tracing::warn!("cannot reload the writer's caches: {e}");
            }
        }
        changed
    }
}

fn reload(conn: &Connection, reference: &mut Reference, clock: &Mutex<Hlc>) -> Result<(), StoreError> {
    *reference = Reference::load(conn)?;
    let stored = super::last_hlc(conn)?;
    let mut clock = clock.lock().map_err(|_| StoreError::Poisoned("clock"))?;
    *clock = (*clock).max(stored);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_another_connections_commit_counts_as_a_change() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("central.db");
        let writer = super::super::open::open_writer(&path)?;
        let other = super::super::open::open_writer(&path)?;
        let (mut reference, mut heads, clock) = (Reference::default(), HashMap::new(), Mutex::new(Hlc::ZERO));
        let device = DeviceId(uuid::Uuid::nil());
        let mut refresh = Refresh::default();
        let mut changed = |conn: &Connection| {
            heads.insert(device, ChainHead { seq: 1, hash: sync_protocol::crypto::Hash::ZERO });
            let changed = refresh.check(conn, &mut reference, &mut heads, &clock);
            assert_eq!(changed, !heads.contains_key(&device));
            changed
        };
        assert!(!changed(&writer), "the first check only takes note");
        writer.execute("INSERT INTO meta (key, value) VALUES ('a', x'00')", [])?;
        assert!(!changed(&writer), "its own commit");
        other.execute("INSERT INTO meta (key, value) VALUES ('b', x'00')", [])?;
        assert!(changed(&writer), "another connection's commit");
        assert!(!changed(&writer), "noticed once");
        Ok(())
    }
}
