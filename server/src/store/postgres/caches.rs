//! The writer's caches on PostgreSQL, and how they are brought up to date when another server
//! process has committed since this one's last batch (several processes share one database and
//! take the writer role one batch at a time, `writer`): the generation each batch draws says
//! whether anyone else committed, and the events past the last one this writer knew say what.

use std::collections::HashMap;
use std::sync::Mutex;
use sync_protocol::admit::ChainHead;
use sync_protocol::event::Event;
use sync_protocol::hlc::Hlc;
use sync_protocol::ids::{DeviceId, EventId};

use super::StoreError;
use crate::args;
use crate::store::jobs::office::is_office_kind;
use crate::store::jobs::reference::Reference;
use crate::store::log::{LogHead, Rows};
use crate::store::sql::Sql;

/// The writer's caches: exact for the state its last batch committed (or caught up to).
pub struct Caches {
    pub reference: Reference,
    pub heads: HashMap<DeviceId, ChainHead>,
    pub log: LogHead,
}

/// What the caches reflect: the generation drawn by the batch that last committed them, and the
/// greatest server sequence stored then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    generation: i64,
    server_seq: i64,
}

/// The generation the last batch of any process drew (0 before any): read under the writer role,
/// so nothing draws while it is read. A sequence, not a row: drawing one costs no row version,
/// and a batch that draws and then rolls back only makes the others catch up for nothing.
pub fn generation(sql: &dyn Sql) -> Result<i64, StoreError> {
    let row = sql.one("SELECT last_value, is_called FROM writer_generation", args![])?;
    Ok(if row.get::<bool>(1)? { row.get(0)? } else { 0 })
}

/// Draws this batch's generation, with the greatest server sequence its transaction holds: what the
/// caches reflect once it commits. Run last, just before the commit.
pub fn draw(sql: &dyn Sql) -> Result<Seen, StoreError> {
    let row = sql.one("SELECT nextval('writer_generation'), (SELECT coalesce(max(server_seq), 0) FROM events)", args![])?;
    Ok(Seen { generation: row.get(0)?, server_seq: row.get(1)? })
}

impl Caches {
    /// Brings the caches up to the database's committed state at the start of a batch that holds
    /// the writer role: nothing to do if the last generation drawn is this writer's own; the
    /// events since `seen` if another process committed; everything read again if the caches
    /// reflect no known state (`None`: at start, after a failed commit or a lost connection).
    pub fn refresh(&mut self, sql: &dyn Sql, seen: Option<Seen>, clock: &Mutex<Hlc>) -> Result<(), StoreError> {
        match seen {
            Some(seen) if generation(sql)? == seen.generation => Ok(()),
            Some(seen) => self.catch_up(sql, seen.server_seq, clock),
            None => self.reload_all(sql, clock),
        }
    }

    /// Forgets what the caches learnt from a job that was undone: they are read again from the
    /// batch's transaction (the log's frontier is the caller's).
    pub fn reload(&mut self, sql: &dyn Sql) {
        self.heads.clear();
        self.reference = Reference::load(sql).unwrap_or_default();
    }

    /// Reads every cache again, the log's frontier too.
    pub fn reload_all(&mut self, sql: &dyn Sql, clock: &Mutex<Hlc>) -> Result<(), StoreError> {
        self.heads.clear();
        self.reference = Reference::load(sql)?;
        self.log.forget();
        self.log.catch_up(&mut Rows(sql))?;
        merge(clock, last_hlc(sql)?)
    }

    /// Takes in what other processes committed after server sequence `since`: the chain heads are
    /// read again as needed, the log's frontier takes the new leaves, the clock the greatest new
    /// HLC, the fingerprint index the new patrols and the office index the new case and tip events
    /// (in commit order, as they were applied); a new reference event reads the reference again
    /// (the fingerprint index kept).
    fn catch_up(&mut self, sql: &dyn Sql, since: i64, clock: &Mutex<Hlc>) -> Result<(), StoreError> {
        self.heads.clear();
        let (mut reference_moved, mut offices, mut fingerprints, mut newest) = (false, Vec::new(), Vec::new(), Hlc::ZERO);
        let query = "SELECT e.kind, e.accepted, e.hlc,
                            CASE WHEN e.accepted AND (e.kind LIKE 'case.%' OR e.kind LIKE 'tip.%') THEN e.raw END,
                            c.patrol, c.fingerprint
                     FROM events e LEFT JOIN patrol_checks c ON c.patrol = e.id
                     WHERE e.server_seq > ?1 ORDER BY e.server_seq";
        sql.each(query, args![since], &mut |row| {
            let (kind, accepted) = (row.get::<String>(0)?, row.get::<bool>(1)?);
            reference_moved |= accepted && Reference::changed_by(&kind);
            if let Ok(hlc) = row.get::<String>(2)?.parse::<Hlc>() {
                newest = newest.max(hlc);
            }
            if let Some(raw) = row.get::<Option<String>>(3)?.filter(|_| is_office_kind(&kind)) {
                offices.push(
                    serde_json::from_str::<Event>(&raw).map_err(|e| StoreError::corrupt("events", format!("a case or tip event: {e}")))?,
                );
            }
            if let (Some(patrol), Some(blob)) = (row.get::<Option<Vec<u8>>>(4)?, row.get::<Option<Vec<u8>>>(5)?) {
                let patrol = uuid::Uuid::from_slice(&patrol).map(EventId).map_err(|_| StoreError::corrupt("patrol_checks", "patrol"))?;
                fingerprints.push((patrol, blob));
            }
            Ok(())
        })?;
        if reference_moved {
            tracing::info!("another server process stored reference events: reading the writer's reference again");
            self.reference = Reference::load_keeping(sql, std::mem::take(&mut self.reference.fingerprints))?;
        } else {
            offices.iter().for_each(|event| self.reference.offices.apply(event));
        }
        for (patrol, blob) in fingerprints {
            crate::store::checks::index_stored_fingerprint(&mut self.reference.fingerprints, patrol, &blob)?;
        }
        self.log.catch_up(&mut Rows(sql))?;
        merge(clock, newest)
    }
}

/// The greatest HLC stored, where the server's clock starts.
fn last_hlc(sql: &dyn Sql) -> Result<Hlc, StoreError> {
    let max: Option<String> = sql.one("SELECT max(hlc) FROM events", &[])?.get(0)?;
    Ok(max.and_then(|s| s.parse().ok()).unwrap_or(Hlc::ZERO))
}

/// Moves the server's clock up to `stored` if it is behind it.
fn merge(clock: &Mutex<Hlc>, stored: Hlc) -> Result<(), StoreError> {
    let mut clock = clock.lock().map_err(|_| StoreError::Poisoned("clock"))?;
    *clock = (*clock).max(stored);
    Ok(())
}
