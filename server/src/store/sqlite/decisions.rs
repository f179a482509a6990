//! What compliance takes from the checks rather than the events, read from the store: each
//! patrol's quota decision (`patrol_checks.counts`) and the open flags per officer and week.

use rusqlite::Connection;
use sync_protocol::compliance::DecisionTable;
use sync_protocol::ids::{EventId, UserId};
use sync_protocol::values::IsoWeek;

use super::StoreError;

/// Every stored quota decision, and the flags not withdrawn, counted per officer and week.
pub fn decisions(conn: &Connection) -> Result<DecisionTable, StoreError> {
    let mut table = DecisionTable::default();
    let mut counts = conn.prepare_cached("SELECT patrol, counts FROM patrol_checks")?;
    for row in counts.query_map([], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, bool>(1)?)))? {
        let (patrol, counts) = row?;
        let patrol = uuid::Uuid::from_slice(&patrol).map_err(|_| StoreError::corrupt("patrol_checks", "bad patrol id"))?;
        table.counts.insert(EventId(patrol), counts);
    }
    let mut flags = conn.prepare_cached(
        "SELECT officer, week, count(*) FROM flags WHERE cleared_at IS NULL AND officer IS NOT NULL AND week IS NOT NULL
         GROUP BY officer, week",
    )?;
    for row in flags.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, u32>(2)?)))? {
        let (officer, week, n) = row?;
        let corrupt = |what: &str| StoreError::corrupt("flags", format!("bad {what}"));
        let officer: UserId = officer.parse().map_err(|_| corrupt("officer"))?;
        let week: IsoWeek = week.parse().map_err(|_| corrupt("week"))?;
        table.flags.insert((officer, week), n);
    }
    Ok(table)
}
