//! The row half of `audit verify`: every leaf re-derived from the row it names (events re-hashed
//! from their raw text) and compared with the stored leaf, in log order, and every row looked for
//! in the log. The stored leaves are folded into a frontier for the roots checkpoints need. One
//! text for both engines (`store::sql`).

use std::collections::{BTreeSet, HashMap};
use sync_protocol::crypto::Hash;
use sync_protocol::event::Event;
use sync_protocol::merkle::{Frontier, LogLeaf, empty_root};

use super::leaves::{blob_leaf, event_leaf, quarantine_leaf};
use crate::args;
use crate::store::StoreError;
use crate::store::audit::LogProblem;
use crate::store::sql::{Row, Sql};

/// What the pass over the leaves found.
pub struct LeafPass {
    pub frontier: Frontier,
    /// The root of the first n stored leaves, for each n asked for that the log reaches.
    pub roots: HashMap<u64, Hash>,
    pub problems: Vec<LogProblem>,
}

const LEAVES_WITH_ROWS: &str = "
    SELECT l.idx, l.kind, l.row_id, l.blob, l.hash,
           e.server_seq, e.raw, e.accepted, e.reason,
           q.id, q.raw, q.reason,
           b.sha256, b.size, b.media_type
    FROM merkle_leaves l
    LEFT JOIN events e ON l.kind = 'event' AND e.server_seq = l.row_id
    LEFT JOIN quarantine q ON l.kind = 'quarantine' AND q.id = l.row_id
    LEFT JOIN blobs b ON l.kind = 'blob' AND b.sha256 = l.blob
    ORDER BY l.idx";

/// Walks the log in order: each leaf against its row, the order of event and quarantine rows,
/// and the roots at `sizes`.
pub fn check_leaves(conn: &dyn Sql, sizes: &BTreeSet<u64>) -> Result<LeafPass, StoreError> {
    let mut pass = LeafPass { frontier: Frontier::new(), roots: HashMap::new(), problems: Vec::new() };
    if sizes.contains(&0) {
        pass.roots.insert(0, empty_root());
    }
    let mut last_row: HashMap<String, i64> = HashMap::new();
    conn.each(LEAVES_WITH_ROWS, args![], &mut |r| {
        let idx: u64 = r.get(0)?;
        let (kind, row_id): (String, Option<i64>) = (r.get(1)?, r.get(2)?);
        let at = match (&row_id, r.get::<Option<String>>(3)?) {
            (Some(id), _) => format!("{kind} {id}"),
            (None, blob) => format!("{kind} {}", blob.unwrap_or_default()),
        };
        let mut problem = |p: String| pass.problems.push(LogProblem { leaf: Some(idx), at: at.clone(), problem: p });
        if idx != pass.frontier.size() {
            problem(format!("leaves {} to {} are missing", pass.frontier.size(), idx.saturating_sub(1)));
        }
        if let Some(id) = row_id
            && let Some(before) = last_row.insert(kind.clone(), id)
            && before >= id
        {
            problem(format!("logged after {kind} {before}: the rows were reordered"));
        }
        let stored = r.get::<[u8; 32]>(4).map(Hash).unwrap_or(Hash::ZERO);
        match derived_leaf(&kind, &r) {
            Ok(Some(leaf)) if leaf.hash() != stored => problem("the row does not hash to its leaf: the row or the leaf was changed".into()),
            Ok(Some(_)) => {}
            Ok(None) => problem("the row is missing: deleted, or its key changed".into()),
            Err(e) => problem(e),
        }
        pass.frontier.push(stored);
        if sizes.contains(&pass.frontier.size()) {
            pass.roots.insert(pass.frontier.size(), pass.frontier.root());
        }
        Ok(())
    })?;
    Ok(pass)
}

/// The leaf the row named by a leaf should have, from the row as it is now; `None` if there is
/// no such row.
fn derived_leaf(kind: &str, r: &Row) -> Result<Option<LogLeaf>, String> {
    let sql = |e: StoreError| format!("the row cannot be read: {e}");
    match kind {
        "event" => {
            let Some(seq) = r.get::<Option<i64>>(5).map_err(sql)? else { return Ok(None) };
            let raw = r.text(6).map_err(sql)?.unwrap_or_default();
            let event: Event = serde_json::from_str(raw).map_err(|e| format!("the stored text is not a readable event: {e}"))?;
            let hash = event.content_hash().map_err(|e| format!("the stored event cannot be hashed: {e}"))?;
            let reason: Option<String> = r.get(8).map_err(sql)?;
            event_leaf(seq, hash, r.get(7).map_err(sql)?, reason.as_deref()).map(Some)
        }
        "quarantine" => {
            let Some(id) = r.get::<Option<i64>>(9).map_err(sql)? else { return Ok(None) };
            quarantine_leaf(id, &r.get::<String>(10).map_err(sql)?, &r.get::<String>(11).map_err(sql)?).map(Some)
        }
        "blob" => {
            let Some(sha) = r.get::<Option<String>>(12).map_err(sql)? else { return Ok(None) };
            blob_leaf(&sha, r.get(13).map_err(sql)?, &r.get::<String>(14).map_err(sql)?).map(Some)
        }
        other => Err(format!("unknown leaf kind {other:?}")),
    }
}

/// Rows with no leaf (stored past the log), and rows with more than one. Keys are read as text,
/// whatever their column's type.
pub fn unlogged_rows(conn: &dyn Sql) -> Result<Vec<LogProblem>, StoreError> {
    let mut problems = Vec::new();
    let queries = [
        (
            "event",
            "SELECT CAST(server_seq AS TEXT) FROM events WHERE server_seq NOT IN (SELECT row_id FROM merkle_leaves WHERE kind = 'event')",
        ),
        (
            "quarantine",
            "SELECT CAST(id AS TEXT) FROM quarantine WHERE id NOT IN (SELECT row_id FROM merkle_leaves WHERE kind = 'quarantine')",
        ),
        ("blob", "SELECT sha256 FROM blobs WHERE sha256 NOT IN (SELECT blob FROM merkle_leaves WHERE kind = 'blob')"),
    ];
    for (kind, sql) in queries {
        conn.each(sql, args![], &mut |r| {
            let at = format!("{kind} {}", r.get::<String>(0)?);
            problems.push(LogProblem { leaf: None, at, problem: "the row is not in the log: stored past the writer".into() });
            Ok(())
        })?;
    }
    let twice = "SELECT kind, coalesce(CAST(row_id AS TEXT), blob), count(*) FROM merkle_leaves
                 GROUP BY kind, row_id, blob HAVING count(*) > 1";
    conn.each(twice, args![], &mut |r| {
        let (kind, key, n): (String, String, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
        problems.push(LogProblem { leaf: None, at: format!("{kind} {key}"), problem: format!("the row is in the log {n} times") });
        Ok(())
    })?;
    Ok(problems)
}
