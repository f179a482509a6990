//! A scope's cases for `GET /v1/cases` and `GET /v1/cases/{id}`: a page read newest first from an
//! index by keyset (by township and id, or by id), and one case by its key.

use std::collections::{BTreeMap, BTreeSet};
use sync_protocol::fold::Case;
use sync_protocol::ids::{EventId, UnitId};
use sync_protocol::wire::cases::{CaseQuery, MAX_CASES_PER_PAGE};

use super::queries::from_json;
use crate::args;
use crate::store::StoreError;
use crate::store::sql::{Arg, Engine, Sql, json_each};

/// The cases of `townships` (the county's when `None`) that `query` selects at `now_ms`, newest
/// first, a page and one more at most (`sync_protocol::wire::cases::list` makes the page). Read
/// below `query.before` a batch at a time until they are found, so an unfiltered page reads a page;
/// the filters on a case's state (stage, overdue, conflict) read on until enough match.
pub fn page(conn: &dyn Sql, townships: Option<&BTreeSet<UnitId>>, query: &CaseQuery, now_ms: i64) -> Result<Vec<Case>, StoreError> {
    let wanted = query.limit.unwrap_or(MAX_CASES_PER_PAGE).clamp(1, MAX_CASES_PER_PAGE) as usize + 1;
    // The township asked for narrows the scope (outside it, to nothing).
    let asked;
    let townships = match (&query.township, townships) {
        (Some(t), Some(scope)) if !scope.contains(t) => return Ok(Vec::new()),
        (Some(t), _) => {
            asked = BTreeSet::from([t.clone()]);
            Some(&asked)
        }
        (None, scope) => scope,
    };
    let (mut found, mut before) = (Vec::new(), query.before);
    loop {
        let (sql, args) = batch(conn.engine(), townships, before, wanted)?;
        let rows = conn.all(&sql, &args)?;
        let read = rows.len();
        for row in rows {
            let case: Case = from_json(&row.get::<String>(0)?, "report_cases")?;
            before = Some(case.id);
            if query.matches(&case, now_ms) {
                found.push(case);
            }
        }
        if found.len() >= wanted || read < wanted {
            found.truncate(wanted);
            return Ok(found);
        }
    }
}

/// The statement of a batch of `size` cases of `townships` below `before`, newest first.
fn batch(
    engine: Engine,
    townships: Option<&BTreeSet<UnitId>>,
    before: Option<EventId>,
    size: usize,
) -> Result<(String, Vec<Arg<'static>>), StoreError> {
    let (mut conditions, mut args) = (Vec::new(), Vec::new());
    match townships.map(|t| t.iter().collect::<Vec<_>>()).as_deref() {
        None => {}
        Some([one]) => {
            conditions.push("township = ?1".to_owned());
            args.push(Arg::from(one.as_str().to_owned()));
        }
        Some(many) => {
            conditions.push(format!("township IN (SELECT t.value FROM {})", json_each(engine, 1, "t")));
            args.push(Arg::from(serde_json::to_string(many).map_err(|e| StoreError::encode("townships", e))?));
        }
    }
    if let Some(before) = before {
        conditions.push(format!("id < ?{}", args.len() + 1));
        args.push(Arg::from(before.0.as_bytes().to_vec()));
    }
    let filter = if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
    args.push(Arg::from(size));
    Ok((format!("SELECT state FROM report_cases {filter} ORDER BY id DESC LIMIT ?{}", args.len()), args))
}

/// The cases opened on one tip (`?1`), with their townships.
const TIP_CASES: &str = "SELECT id, township FROM report_cases WHERE source = ?1 ORDER BY id";

/// The cases opened on each of `tips` that are `townships`' (the county's when `None`), in id
/// order, by tip: each tip's read through the cases' index of sources, so the cost follows the
/// tips asked, not the cases.
pub fn tip_cases(
    conn: &dyn Sql,
    townships: Option<&BTreeSet<UnitId>>,
    tips: &[EventId],
) -> Result<BTreeMap<EventId, Vec<EventId>>, StoreError> {
    let mut out = BTreeMap::new();
    for tip in tips {
        let rows = conn.all(TIP_CASES, args![tip.0.as_bytes()])?;
        let mut cases = Vec::new();
        for r in rows {
            let township: UnitId = super::queries::parse(&r.get::<String>(1)?, "report_cases")?;
            if townships.is_none_or(|t| t.contains(&township)) {
                cases.push(super::rows::id(&r.get::<Vec<u8>>(0)?, "report_cases")?);
            }
        }
        if !cases.is_empty() {
            out.insert(*tip, cases);
        }
    }
    Ok(out)
}

/// The case `id` if it is one of `townships`' (the county's when `None`), read by its key.
pub fn case(conn: &dyn Sql, townships: Option<&BTreeSet<UnitId>>, id: EventId) -> Result<Option<Case>, StoreError> {
    let Some(row) = conn.optional("SELECT state FROM report_cases WHERE id = ?1", args![id.0.as_bytes()])? else { return Ok(None) };
    let case: Case = from_json(&row.get::<String>(0)?, "report_cases")?;
    Ok(townships.is_none_or(|t| t.contains(&case.township)).then_some(case))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::plan::plan;

    /// A batch of the county's or of one township's cases below a cursor is read in id order from
    /// an index, newest first: no sort of every case in scope (the list parsed them all).
    #[test]
    fn a_page_of_cases_reads_an_index_from_its_cursor() -> Result<(), Box<dyn std::error::Error>> {
        let (_dir, reader) = crate::store::sqlite::plan::empty_store_reader()?;
        let township = BTreeSet::from([UnitId::new("T01")?]);
        let cursor = Some(EventId(uuid::Uuid::now_v7()));
        for (townships, before, index) in [
            (None, None, "sqlite_autoindex_report_cases_1"),
            (None, cursor, "sqlite_autoindex_report_cases_1"),
            (Some(&township), cursor, "report_cases_by_township"),
        ] {
            let (sql, _) = batch(Engine::Sqlite, townships, before, 11)?;
            let plan = plan(&reader, &sql)?;
            assert!(plan.iter().any(|l| l.contains(&format!("INDEX {index}"))), "{sql}: {plan:?}");
            assert!(!plan.iter().any(|l| l.contains("TEMP B-TREE")), "{sql} sorts: {plan:?}");
        }
        Ok(())
    }

    /// A tip's cases are read through the cases' index of sources, never by a scan of the cases.
    #[test]
    fn a_tips_cases_are_read_by_their_source() -> Result<(), Box<dyn std::error::Error>> {
        let (_dir, reader) = crate::store::sqlite::plan::empty_store_reader()?;
        let plan = plan(&reader, TIP_CASES)?;
        assert!(crate::store::sqlite::plan::uses(&plan, "report_cases", "report_cases_by_source"), "{plan:?}");
        Ok(())
    }
}
