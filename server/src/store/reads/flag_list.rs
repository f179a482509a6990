//! Reading flags for a scope: a village sees the flags placed in it, a township those of its
//! villages, the county all of them (including those concerning no place).

use std::collections::BTreeSet;
use sync_protocol::body::SubjectKind;
use sync_protocol::ids::{EventId, UnitId, UserId};
use sync_protocol::scope::Bucket;
use sync_protocol::values::IsoWeek;
use sync_protocol::wire::FlagKind;
use sync_protocol::wire::flags::{FlagList, FlagQuery, FlagRecord, MAX_FLAGS_PER_PAGE};

use super::StoreError;
use crate::store::reads::place_scope::{PlaceScope, page};
use crate::store::sql::{Arg, Engine, Sql};

/// The newest flags in `scope` matching `query`, newest first. The statement names only the
/// filters given, so the planner reads one index of `(column, id)` (migration 0019) from the
/// newest matching row down, and a selective filter reads about a page, not the table.
pub fn list(conn: &dyn Sql, scope: &BTreeSet<Bucket>, query: &FlagQuery) -> Result<FlagList, StoreError> {
    let limit = query.limit.unwrap_or(MAX_FLAGS_PER_PAGE).clamp(1, MAX_FLAGS_PER_PAGE);
    let (sql, args) = statement(conn.engine(), &PlaceScope::of(scope)?, query, limit)?;
    let rows = conn.all(&sql, &args)?;
    let flags = rows.iter().map(|r| Row::read(r).and_then(Row::parse)).collect::<Result<Vec<_>, _>>()?;
    let (flags, more) = page(flags, limit);
    Ok(FlagList { flags, more })
}

/// The list's statement and its arguments: the scope's condition and each filter given.
fn statement(engine: Engine, place: &PlaceScope, query: &FlagQuery, limit: u32) -> Result<(String, Vec<Arg<'static>>), StoreError> {
    let (mut conditions, mut args) = match place.condition(engine, "", 1)? {
        Some((condition, args)) => (vec![condition], args),
        None => (Vec::new(), Vec::new()),
    };
    let mut equal = |column: &str, value: Option<String>| {
        if let Some(value) = value {
            conditions.push(format!("{column} = ?{}", args.len() + 1));
            args.push(Arg::from(value));
        }
    };
    equal("kind", query.kind.map(|k| k.as_str().to_owned()));
    equal("village", query.village.as_ref().map(|v| v.as_str().to_owned()));
    equal("township", query.township.as_ref().map(|t| t.as_str().to_owned()));
    equal("week", query.week.map(|w| w.to_string()));
    equal("officer", query.officer.as_ref().map(|o| o.as_str().to_owned()));
    if let Some(before) = query.before {
        conditions.push(format!("id < ?{}", args.len() + 1));
        args.push(Arg::from(before));
    }
    // Written as the partial index's condition (0019), which SQLite matches by its text.
    conditions.extend(query.high_priority.then(|| "high_priority".to_owned()));
    conditions.extend((!query.withdrawn).then(|| "cleared_at IS NULL".to_owned()));
    conditions.extend((!query.reviewed).then(|| "reviewed_at IS NULL".to_owned()));
    let filter = if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
    // The flags of high priority are few; without statistics SQLite would as soon walk the open
    // flags' index (all of them, when most are open), so it is told.
    let indexed = if query.high_priority && engine == Engine::Sqlite { "INDEXED BY flags_high_priority" } else { "" };
    args.push(Arg::from(i64::from(limit) + 1));
    let sql = format!(
        "SELECT id, kind, detail, event_id, officer, village, township, week, raised_at, cleared_at, high_priority, review,
                CASE WHEN EXISTS (SELECT 1 FROM finding_checks WHERE finding = flags.event_id) THEN 'finding'
                     WHEN EXISTS (SELECT 1 FROM patrol_checks WHERE patrol = flags.event_id) THEN 'patrol' END
         FROM flags {indexed} {filter}
         ORDER BY id DESC LIMIT ?{}",
        args.len()
    );
    Ok((sql, args))
}

struct Row {
    id: i64,
    kind: String,
    detail: String,
    event: Option<Vec<u8>>,
    officer: Option<String>,
    village: Option<String>,
    township: Option<String>,
    week: Option<String>,
    raised_at: i64,
    withdrawn_at: Option<i64>,
    high_priority: bool,
    review: Option<String>,
    subject: Option<String>,
}

impl Row {
    fn read(r: &crate::store::sql::Row) -> Result<Row, StoreError> {
        Ok(Row {
            id: r.get(0)?,
            kind: r.get(1)?,
            detail: r.get(2)?,
            event: r.get(3)?,
            officer: r.get(4)?,
            village: r.get(5)?,
            township: r.get(6)?,
            week: r.get(7)?,
            raised_at: r.get(8)?,
            withdrawn_at: r.get(9)?,
            high_priority: r.get(10)?,
            review: r.get(11)?,
            subject: r.get(12)?,
        })
    }

    fn parse(self) -> Result<FlagRecord, StoreError> {
        let corrupt = |what: &str| StoreError::corrupt("flags", format!("{}: bad {what}", self.id));
        let kind = self.kind.parse::<FlagKind>().map_err(|_| corrupt("kind"))?;
        let event = self.event.as_deref().map(uuid::Uuid::from_slice).transpose().map_err(|_| corrupt("event"))?.map(EventId);
        let officer = self.officer.as_deref().map(str::parse::<UserId>).transpose().map_err(|_| corrupt("officer"))?;
        let village = self.village.as_deref().map(str::parse::<UnitId>).transpose().map_err(|_| corrupt("village"))?;
        let township = self.township.as_deref().map(str::parse::<UnitId>).transpose().map_err(|_| corrupt("township"))?;
        let week = self.week.as_deref().map(str::parse::<IsoWeek>).transpose().map_err(|_| corrupt("week"))?;
        let review = self.review.as_deref().map(serde_json::from_str).transpose().map_err(|_| corrupt("review"))?;
        Ok(FlagRecord {
            id: self.id,
            kind,
            high_priority: self.high_priority,
            detail: self.detail,
            event,
            subject: match self.subject.as_deref() {
                Some("finding") => Some(SubjectKind::Finding),
                Some("patrol") => Some(SubjectKind::Patrol),
                _ => None,
            },
            officer,
            village,
            township,
            week,
            raised_at: self.raised_at,
            withdrawn_at: self.withdrawn_at,
            review,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::plan::{plan, scans_all_of, uses};

    fn unit(u: &str) -> Result<UnitId, Box<dyn std::error::Error>> {
        Ok(UnitId::new(u)?)
    }

    /// Each selective filter, and the scope of a township or a village, is read through an index in
    /// id order: no plan scans the flags or sorts them (each did, filtering every row of the table).
    #[test]
    fn a_filtered_list_reads_its_index_in_id_order() -> Result<(), Box<dyn std::error::Error>> {
        let (_dir, reader) = crate::store::sqlite::plan::empty_store_reader()?;
        let county = PlaceScope { county: true, villages: vec![], townships: vec![] };
        let township = PlaceScope { county: false, villages: vec![], townships: vec!["T01".into()] };
        let village = PlaceScope { county: false, villages: vec!["V01".into()], townships: vec![] };
        let all = FlagQuery { withdrawn: true, reviewed: true, ..FlagQuery::default() };
        let week = IsoWeek::new(2026, 5)?;
        let cases = [
            (&county, FlagQuery { week: Some(week), township: Some(unit("T01")?), ..all.clone() }, "flags_by_township_week"),
            (&township, FlagQuery { week: Some(week), ..all.clone() }, "flags_by_township_week"),
            (&county, FlagQuery { week: Some(week), before: Some(10), ..all.clone() }, "flags_by_week"),
            (&county, FlagQuery { kind: Some(FlagKind::OutsideZone), ..all.clone() }, "flags_by_kind"),
            (&county, FlagQuery { officer: Some("u1".parse()?), ..all.clone() }, "flags_by_officer"),
            (&county, FlagQuery { village: Some(unit("V02")?), ..all.clone() }, "flags_by_village"),
            (&county, FlagQuery { high_priority: true, ..all.clone() }, "flags_high_priority"),
            (&county, FlagQuery { high_priority: true, ..FlagQuery::default() }, "flags_high_priority"),
            (&county, FlagQuery::default(), "flags_open"),
            (&township, all.clone(), "flags_by_township"),
            (&village, all.clone(), "flags_by_village"),
        ];
        for (scope, query, index) in cases {
            let (sql, _) = statement(Engine::Sqlite, scope, &query, 50)?;
            let plan = plan(&reader, &sql)?;
            assert!(uses(&plan, "flags", index), "{query:?}: {plan:?}");
            assert!(!scans_all_of(&plan, "flags", &["flags_high_priority", "flags_open"]), "{query:?}: {plan:?}");
            assert!(!plan.iter().any(|l| l.contains("TEMP B-TREE")), "{query:?} sorts: {plan:?}");
        }
        Ok(())
    }
}
