//! The ledger's rows from the read model, on a reader: one statement per subject walks its index
//! range in the ledger's order (start, then patrol id) from the cursor and reads each patrol's kept
//! row (`kept`); a row not yet written (a store migrated, not filled) is built as the writer would.

use sync_protocol::ids::UnitId;
use sync_protocol::ledger::PatrolEntry;
use sync_protocol::wire::reports::LedgerCursor;

use super::kept::built_row;
use super::queries::{from_json, parse};
use super::rows::id;
use crate::args;
use crate::store::StoreError;
use crate::store::reports::{KeptRow, LedgerBy, LedgerPage, LedgerSelection};
use crate::store::sql::{Engine, Row, Sql, Value, json_each};

/// A patrol's ledger entry and where it lay (village, township), when known.
pub(super) type Selected = (PatrolEntry, Option<(UnitId, UnitId)>);

/// The ledger rows `sel` selects, by start time then patrol id, with the cursor after them when
/// `sel.limit` cut them short.
pub fn ledger(conn: &dyn Sql, sel: &LedgerSelection) -> Result<LedgerPage, StoreError> {
    let (rows, next) = walk(conn, sel, "p.ledger_row FROM patrols p", |mut r| match r.take(2) {
        Value::Text(kept) => Ok(KeptRow(kept)),
        _ => {
            let patrol = id(r.bytes(1)?, "patrols")?;
            built_row(conn, &patrol)?.ok_or_else(|| StoreError::corrupt("patrols", format!("patrol {patrol} left the read model")))
        }
    })?;
    Ok(LedgerPage { rows, next })
}

/// The ledger entries of the patrols `sel` selects, with where each lay, by start then id.
pub(super) fn selected(conn: &dyn Sql, sel: &LedgerSelection) -> Result<Vec<Selected>, StoreError> {
    Ok(walk(conn, sel, "p.entry, p.village, p.township FROM patrols p", |r| selected_of(&r))?.0)
}

/// Runs the selection's statement (its columns after the start and id, and its `FROM`: `tail`)
/// for each part of its subject, from the cursor and one row past the limit; `each` makes a row's
/// answer. Gives them by start then id, cut to the limit, and the cursor of the last when cut.
fn walk<T>(
    conn: &dyn Sql,
    sel: &LedgerSelection,
    tail: &str,
    mut each: impl FnMut(Row) -> Result<T, StoreError>,
) -> Result<(Vec<T>, Option<LedgerCursor>), StoreError> {
    let (from, after) = match &sel.after {
        Some(c) => (sel.from_ms.max(c.started_at), (c.started_at, c.patrol.0.as_bytes().as_slice())),
        None => (sel.from_ms, (i64::MIN, [].as_slice())),
    };
    let limit = sel.limit.map_or(i64::MAX, |n| i64::from(n) + 1);
    // Rows and their places apart: a row is moved only when several parts are merged.
    let (mut items, mut keys): (Vec<T>, Vec<LedgerCursor>) = (Vec::new(), Vec::new());
    let parts = parts(conn.engine(), &sel.by)?;
    for (filter, key, also) in &parts {
        let sql = format!(
            "SELECT p.started_at, p.id, {tail}
             WHERE p.entry IS NOT NULL AND p.started_at >= ?1 AND p.started_at < ?2 AND (p.started_at, p.id) > (?3, ?4) AND {filter}
             ORDER BY p.started_at, p.id LIMIT ?5"
        );
        conn.each(&sql, args![from, sel.to_ms, after.0, after.1, limit, key.as_deref(), also.as_deref()], &mut |r| {
            keys.push(LedgerCursor { started_at: r.get(0)?, patrol: id(r.bytes(1)?, "patrols")? });
            items.push(each(r)?);
            Ok(())
        })?;
    }
    if parts.len() > 1 {
        let mut order: Vec<usize> = (0..keys.len()).collect();
        order.sort_by_key(|&i| keys[i]);
        let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
        items = order.iter().filter_map(|&i| slots[i].take()).collect();
        keys = order.iter().map(|&i| keys[i]).collect();
    }
    let next = match sel.limit.map(|n| n as usize) {
        Some(n) if items.len() > n => {
            items.truncate(n);
            n.checked_sub(1).and_then(|last| keys.get(last)).copied()
        }
        _ => None,
    };
    Ok((items, next))
}

/// A part of a subject: the statement's filter and its two values (`?6`, `?7`).
type Part = (String, Option<String>, Option<String>);

/// The parts of a subject: one for an officer or the county, one per township.
fn parts(engine: Engine, by: &LedgerBy) -> Result<Vec<Part>, StoreError> {
    Ok(match by {
        LedgerBy::County => vec![("CAST(?6 AS TEXT) IS NULL AND CAST(?7 AS TEXT) IS NULL".to_owned(), None, None)],
        LedgerBy::Officer { officer, within } => {
            let within = within.as_ref().map(serde_json::to_string).transpose().map_err(|e| StoreError::encode("townships", e))?;
            let filter = format!(
                "p.author = ?6 AND (CAST(?7 AS TEXT) IS NULL OR p.township IN (SELECT w.value FROM {}))",
                json_each(engine, 7, "w")
            );
            vec![(filter, Some(officer.to_string()), within)]
        }
        LedgerBy::Townships { townships, village } => townships
            .iter()
            .map(|t| {
                (
                    "p.township = ?6 AND (CAST(?7 AS TEXT) IS NULL OR p.village = ?7)".to_owned(),
                    Some(t.to_string()),
                    village.as_ref().map(UnitId::to_string),
                )
            })
            .collect(),
    })
}

/// The entry (third column) and place (fourth and fifth) of a selected patrol.
fn selected_of(r: &Row) -> Result<Selected, StoreError> {
    let entry = from_json(r.text(2)?.ok_or_else(|| StoreError::corrupt("patrols", "no entry"))?, "patrols")?;
    let place = match (r.text(3)?, r.text(4)?) {
        (Some(v), Some(t)) => Some((parse(v, "patrols")?, parse(t, "patrols")?)),
        _ => None,
    };
    Ok((entry, place))
}
