//! `GET /v1/ledger`: the patrol ledger (巡查台帐) of an officer, a village, a township or the county
//! over a date range, one row per patrol in a stable order (start time, then patrol id), with its
//! check, findings, licence verdicts, flags, case states and evidence hashes; never informants.

use chrono::NaiveDate;
use sync_protocol::fold::{Patrol, Projection};
use sync_protocol::ids::{UnitId, UserId};
use sync_protocol::values::IsoWeek;

use super::ReportError;
use super::audience::Audience;
use super::compliance::county_view;
use super::ledger_columns::{COLUMNS, row_of};
use crate::store::Store;
pub use sync_protocol::wire::reports::{Column, Format, Ledger, LedgerQuery};

/// The most days one ledger may span.
const MAX_DAYS: i64 = 366;

/// Whose patrols a ledger lists, once checked against the audience.
enum Subject {
    Officer(UserId),
    Village(UnitId),
    Township(UnitId),
    /// Everything the audience sees.
    All,
}

/// The ledger `query` asks for, as `audience` may see it.
pub async fn ledger(store: &dyn Store, audience: &Audience, query: &LedgerQuery, now_ms: i64) -> Result<Ledger, ReportError> {
    let days = (query.to - query.from).num_days();
    if !(0..MAX_DAYS).contains(&days) {
        return Err(ReportError::Range { max_days: MAX_DAYS });
    }
    let (p, _) = county_view(store).await?;
    let subject = subject(&p, audience, query, now_ms)?;
    let facts = store.ledger_facts().await?;
    let (start, end) = (county_midnight(query.from), county_midnight(query.to) + 86_400_000);
    let township_of = |x: &Patrol| p.zones.get(&x.zone).map(|z| (z.village.clone(), z.township.clone()));
    let mut patrols: Vec<&Patrol> = p
        .patrols
        .values()
        .filter(|x| (start..end).contains(&x.started_at))
        .filter(|x| {
            let place = township_of(x);
            let visible = match audience {
                Audience::Officer(me) => &x.officer == me,
                _ => place.as_ref().is_some_and(|(_, t)| audience.sees_township(t)),
            };
            visible
                && match &subject {
                    Subject::Officer(o) => &x.officer == o,
                    Subject::Village(v) => place.as_ref().is_some_and(|(pv, _)| pv == v),
                    Subject::Township(t) => place.as_ref().is_some_and(|(_, pt)| pt == t),
                    Subject::All => true,
                }
        })
        .collect();
    patrols.sort_by_key(|x| (x.started_at, x.id));
    let columns = COLUMNS.iter().map(|c| Column { key: c.key.into(), heading: c.heading(query.lang).into() }).collect();
    let rows = patrols.into_iter().map(|x| row_of(&p, &facts, x)).collect();
    Ok(Ledger { from: query.from, to: query.to, columns, rows })
}

/// Checks the filters against the audience: at most one; outside the audience (or unknown) is 404.
fn subject(p: &Projection, audience: &Audience, q: &LedgerQuery, now_ms: i64) -> Result<Subject, ReportError> {
    let parent = |v: &UnitId| p.units.get(v).and_then(|u| u.parent.clone());
    match (&q.officer, &q.village, &q.township) {
        (None, None, None) => Ok(Subject::All),
        (Some(o), None, None) => {
            let township = p.zone_of(o, now_ms).and_then(|z| p.zones.get(z)).map(|z| z.township.clone());
            let known = p.users.contains_key(o);
            let mine = match audience {
                Audience::Officer(me) => me == o,
                _ => known && township.as_ref().is_some_and(|t| audience.sees_township(t)),
            };
            if mine { Ok(Subject::Officer(o.clone())) } else { Err(ReportError::NotFound) }
        }
        (None, Some(v), None) => match parent(v) {
            Some(t) if audience.sees_township(&t) => Ok(Subject::Village(v.clone())),
            _ => Err(ReportError::NotFound),
        },
        (None, None, Some(t)) if p.units.contains_key(t) && audience.sees_township(t) => Ok(Subject::Township(t.clone())),
        (None, None, Some(_)) => Err(ReportError::NotFound),
        _ => Err(ReportError::OneSubject),
    }
}

/// Midnight at the start of `day`, county time (UTC+8), as Unix ms.
fn county_midnight(day: NaiveDate) -> i64 {
    let utc = day.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp_millis()).unwrap_or(0);
    utc - sync_protocol::values::COUNTY_UTC_OFFSET_MS
}

/// The week a ledger day belongs to, for the week column.
pub fn week_of(ms: i64) -> IsoWeek {
    IsoWeek::of_ms(ms)
}
