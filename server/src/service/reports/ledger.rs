//! `GET /v1/ledger`: the patrol ledger (巡查台帐) of an officer, a village, a township or the county
//! over a date range, one row per patrol in a stable order (start time, then patrol id), with its
//! check, findings, licence verdicts, flags, case states and evidence hashes; never informants. The
//! rows are `sync_protocol::ledger`'s, read from the store's read model for the range asked: all
//! of them, or a page of `limit` rows `after` a cursor (JSON only), with the cursor of the next.
//! `GET /v1/map` selects its patrols the same way (never a page).

use chrono::NaiveDate;
use std::collections::BTreeSet;

use super::ReportError;
use super::audience::Audience;
use crate::store::Store;
use crate::store::reports::{Directory, LedgerBy, LedgerSelection};
pub use sync_protocol::wire::map::MapFeatures;
pub use sync_protocol::wire::reports::{Column, Format, Ledger, LedgerQuery, MAX_LEDGER_PAGE};
use sync_protocol::{ValidationError, wire::page_size};

/// The most days one ledger may span.
const MAX_DAYS: i64 = 366;

/// The ledger `query` asks for, as `audience` may see it.
pub async fn ledger(store: &dyn Store, audience: &Audience, query: &LedgerQuery, now_ms: i64) -> Result<Ledger, ReportError> {
    let paged = query.limit.is_some() || query.after.is_some();
    if paged && query.format != Format::Json {
        return Err(not_paged("csv and xlsx exports hold every row: page the JSON ledger"));
    }
    let limit = query.limit.map(|n| page_size(Some(n), n, MAX_LEDGER_PAGE)).transpose()?;
    let mut selection = selection(store, audience, query, now_ms).await?;
    (selection.after, selection.limit) = (query.after, limit);
    let page = store.ledger(selection).await?;
    Ok(Ledger { from: query.from, to: query.to, columns: sync_protocol::ledger::columns(query.lang), rows: page.rows, next: page.next })
}

/// `GET /v1/map`: the tracks and findings of the patrols the same query selects for the ledger.
pub async fn map(store: &dyn Store, audience: &Audience, query: &LedgerQuery, now_ms: i64) -> Result<MapFeatures, ReportError> {
    if query.limit.is_some() || query.after.is_some() {
        return Err(not_paged("the map draws every patrol the query selects"));
    }
    Ok(store.map(selection(store, audience, query, now_ms).await?).await?)
}

/// A request that pages (`limit`, `after`) what is not paged.
fn not_paged(why: &str) -> ReportError {
    ReportError::Query(ValidationError::Field { field: "limit", problem: format!("paging is for the JSON ledger only ({why})") })
}

/// The patrols `query` selects, checked against the audience and the longest range.
async fn selection(store: &dyn Store, audience: &Audience, query: &LedgerQuery, now_ms: i64) -> Result<LedgerSelection, ReportError> {
    let days = (query.to - query.from).num_days();
    if !(0..MAX_DAYS).contains(&days) {
        return Err(ReportError::Range { max_days: MAX_DAYS });
    }
    let by = subject(&store.directory().await?, audience, query, now_ms)?;
    Ok(LedgerSelection {
        from_ms: county_midnight(query.from),
        to_ms: county_midnight(query.to) + 86_400_000,
        by,
        after: None,
        limit: None,
    })
}

/// The patrols the filters select, checked against the audience: at most one filter; outside
/// the audience (or unknown) is 404.
fn subject(d: &Directory, audience: &Audience, q: &LedgerQuery, now_ms: i64) -> Result<LedgerBy, ReportError> {
    let within = match audience {
        Audience::Officer(_) => None,
        Audience::Townships(mine) => Some(mine.clone()),
        Audience::County => None,
    };
    match (&q.officer, &q.village, &q.township) {
        (None, None, None) => Ok(match (audience, within) {
            (Audience::Officer(me), _) => LedgerBy::Officer { officer: me.clone(), within: None },
            (_, Some(townships)) => LedgerBy::Townships { townships, village: None },
            (_, None) => LedgerBy::County,
        }),
        (Some(o), None, None) => {
            let mine = match audience {
                Audience::Officer(me) => me == o,
                _ => d.roles.contains_key(o) && d.township_of(o, now_ms).is_some_and(|t| audience.sees_township(t)),
            };
            if mine { Ok(LedgerBy::Officer { officer: o.clone(), within }) } else { Err(ReportError::NotFound) }
        }
        (None, Some(v), None) => match d.parents.get(v).cloned().flatten() {
            Some(t) if audience.sees_township(&t) => Ok(LedgerBy::Townships { townships: BTreeSet::from([t]), village: Some(v.clone()) }),
            _ => Err(ReportError::NotFound),
        },
        (None, None, Some(t)) if d.parents.contains_key(t) && audience.sees_township(t) => {
            Ok(LedgerBy::Townships { townships: BTreeSet::from([t.clone()]), village: None })
        }
        (None, None, Some(_)) => Err(ReportError::NotFound),
        _ => Err(ReportError::OneSubject),
    }
}

/// Midnight at the start of `day`, county time (UTC+8), as Unix ms.
fn county_midnight(day: NaiveDate) -> i64 {
    let utc = day.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp_millis()).unwrap_or(0);
    utc - sync_protocol::values::COUNTY_UTC_OFFSET_MS
}
