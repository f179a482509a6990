//! What admission and routing need to know of the cases and tips already stored: each case's
//! township and where it stood after each step, each tip's current township, and which townships an inspector answers for.
//!
//! The writer keeps the case and tip events in a [`Projection`] of their own (they are few), folded
//! by the same code as everywhere else; a case's stage depends only on the set of its steps, so
//! applying them in commit order gives the same answer as the sorted fold.

use sync_protocol::body::kind;
use sync_protocol::event::Event;
use sync_protocol::fold::{Projection, StepStage};
use sync_protocol::ids::{EventId, UnitId};

use super::StoreError;
use crate::args;
use crate::store::sql::Sql;

/// The stored cases and tips, as the writer's cache.
#[derive(Debug, Default)]
pub struct OfficeIndex {
    records: Projection,
}

/// Whether an event kind is a case or tip record.
pub fn is_office_kind(k: &str) -> bool {
    k.starts_with("case.") || k.starts_with("tip.")
}

impl OfficeIndex {
    /// Folds every accepted case and tip event of the log.
    pub fn load(conn: &dyn Sql) -> Result<OfficeIndex, StoreError> {
        let sql = "SELECT raw FROM events WHERE accepted AND (kind LIKE 'case.%' OR kind LIKE 'tip.%') ORDER BY server_seq";
        let mut events = Vec::new();
        conn.each(sql, args![], &mut |row| {
            let raw: String = row.get(0)?;
            events
                .push(serde_json::from_str::<Event>(&raw).map_err(|e| StoreError::corrupt("events", format!("a case or tip event: {e}")))?);
            Ok(())
        })?;
        Ok(OfficeIndex { records: Projection::fold(&events) })
    }

    /// Takes note of an accepted case or tip event; other kinds are ignored.
    pub fn apply(&mut self, event: &Event) {
        if is_office_kind(&event.kind) {
            self.records.apply(event);
        }
    }

    /// Every case folded so far.
    pub fn cases(&self) -> impl Iterator<Item = &sync_protocol::fold::Case> {
        self.records.cases.values()
    }

    pub fn case_township(&self, case: &EventId) -> Option<UnitId> {
        self.records.cases.get(case).map(|c| c.township.clone())
    }

    /// Where a stored case stood after its step `step`, from the stored steps it was made on.
    pub fn case_stage_after(&self, case: &EventId, step: &EventId) -> StepStage {
        self.records.cases.get(case).map_or(StepStage::NotHeld, |c| c.stage_after(step))
    }

    /// The township a tip is assigned to now.
    pub fn tip_township(&self, tip: &EventId) -> Option<UnitId> {
        self.records.tips.get(tip).map(|t| t.township.clone())
    }
}

/// The kind that carries a tip's informant: kept out of every pull and view of a role that may
/// not read it (`sync_protocol::scope::may_read_confidential`).
pub const CONFIDENTIAL_KIND: &str = kind::TIP_INFORMANT;
