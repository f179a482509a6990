//! What the ledger needs from the store beside the fold: each patrol's quota decision and
//! explanation, each finding's licence verdict and evidence hash, and the open flags per event.

use rusqlite::Connection;
use sync_protocol::ids::EventId;

use super::StoreError;
use crate::store::reports::LedgerFacts;

fn id(bytes: &[u8], what: &'static str) -> Result<EventId, StoreError> {
    uuid::Uuid::from_slice(bytes).map(EventId).map_err(|_| StoreError::corrupt(what, "bad id"))
}

pub fn load(conn: &Connection) -> Result<LedgerFacts, StoreError> {
    let mut facts = LedgerFacts::default();
    let mut s = conn.prepare_cached("SELECT patrol, counts, explanation FROM patrol_checks")?;
    for row in s.query_map([], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, bool>(1)?, r.get::<_, String>(2)?)))? {
        let (patrol, counts, why) = row?;
        facts.checks.insert(id(&patrol, "patrol_checks")?, (counts, why));
    }
    let mut s = conn.prepare_cached("SELECT f.finding, f.verdict, e.hash FROM finding_checks f JOIN events e ON e.id = f.finding")?;
    for row in s.query_map([], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, String>(1)?, r.get::<_, Vec<u8>>(2)?)))? {
        let (finding, verdict, hash) = row?;
        let finding = id(&finding, "finding_checks")?;
        let verdict = serde_json::from_str(&verdict)
            .map_err(|e| StoreError::corrupt("finding_checks", format!("finding {finding}: verdict: {e}")))?;
        facts.verdicts.insert(finding, verdict);
        facts.hashes.insert(finding, hex::encode(hash));
    }
    let mut s = conn.prepare_cached("SELECT event_id, kind FROM flags WHERE cleared_at IS NULL AND event_id IS NOT NULL ORDER BY id")?;
    for row in s.query_map([], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, String>(1)?)))? {
        let (event, kind) = row?;
        let kind = kind.parse().map_err(|_| StoreError::corrupt("flags", format!("kind {kind}")))?;
        facts.flags.entry(id(&event, "flags")?).or_default().push(kind);
    }
    Ok(facts)
}
