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
use crate::args;
use crate::store::reads::place_scope::{PlaceScope, page};
use crate::store::sql::{Sql, json_each};

/// The newest flags in `scope` matching `query`, newest first.
pub fn list(conn: &dyn Sql, scope: &BTreeSet<Bucket>, query: &FlagQuery) -> Result<FlagList, StoreError> {
    let place = PlaceScope::of(scope)?;
    let limit = query.limit.unwrap_or(MAX_FLAGS_PER_PAGE).clamp(1, MAX_FLAGS_PER_PAGE);
    let (villages, townships) = (json_each(conn.engine(), 2, "v"), json_each(conn.engine(), 3, "t"));
    let sql = format!(
        "SELECT id, kind, detail, event_id, officer, village, township, week, raised_at, cleared_at, high_priority, review,
                CASE WHEN EXISTS (SELECT 1 FROM finding_checks WHERE finding = flags.event_id) THEN 'finding'
                     WHEN EXISTS (SELECT 1 FROM patrol_checks WHERE patrol = flags.event_id) THEN 'patrol' END
         FROM flags
         WHERE (?1 OR village IN (SELECT v.value FROM {villages}) OR township IN (SELECT t.value FROM {townships}))
           AND (CAST(?4 AS TEXT) IS NULL OR kind = ?4) AND (CAST(?5 AS TEXT) IS NULL OR village = ?5)
           AND (CAST(?6 AS TEXT) IS NULL OR township = ?6) AND (CAST(?7 AS TEXT) IS NULL OR week = ?7)
           AND (?8 OR cleared_at IS NULL) AND (CAST(?9 AS BIGINT) IS NULL OR id < ?9)
           AND (CAST(?11 AS TEXT) IS NULL OR officer = ?11) AND (NOT ?12 OR high_priority)
           AND (?13 OR reviewed_at IS NULL)
         ORDER BY id DESC LIMIT ?10"
    );
    let rows = conn.all(
        &sql,
        args![
            place.county,
            place.villages,
            place.townships,
            query.kind.map(FlagKind::as_str),
            query.village.as_ref().map(UnitId::as_str),
            query.township.as_ref().map(UnitId::as_str),
            query.week.map(|w| w.to_string()),
            query.withdrawn,
            query.before,
            i64::from(limit) + 1,
            query.officer.as_ref().map(UserId::as_str),
            query.high_priority,
            query.reviewed,
        ],
    )?;
    let flags = rows.iter().map(|r| Row::read(r).and_then(Row::parse)).collect::<Result<Vec<_>, _>>()?;
    let (flags, more) = page(flags, limit);
    Ok(FlagList { flags, more })
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
