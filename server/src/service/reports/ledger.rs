//! `GET /v1/ledger`: the patrol ledger (巡查台帐) of an officer, a village, a township or the county
//! over a date range, one row per patrol in a stable order (start time, then patrol id), with its
//! check, findings, licence verdicts, flags, case states and evidence hashes; never informants. The
//! rows are `sync_protocol::ledger`'s, read from the store's read model for the range asked: all
//! of them, or a page of `limit` rows `after` a cursor (JSON only), with the cursor of the next.
//! `GET /v1/map` selects its patrols the same way (never a page).

use chrono::NaiveDate;
use std::collections::BTreeSet;
use std::io::Write;

use super::ReportError;
use super::audience::Audience;
use crate::store::Store;
use crate::store::reports::{Directory, KeptRow, LedgerBy, LedgerSelection};
pub use sync_protocol::wire::map::MapFeatures;
pub use sync_protocol::wire::reports::{Column, Format, Ledger, LedgerCursor, LedgerQuery, MAX_LEDGER_PAGE};
use sync_protocol::{ValidationError, wire::page_size};

/// The most days one ledger may span.
const MAX_DAYS: i64 = 366;

/// The ledger `query` asks for, as `audience` may see it.
pub async fn ledger(store: &dyn Store, audience: &Audience, query: &LedgerQuery, now_ms: i64) -> Result<KeptLedger, ReportError> {
    let paged = query.limit.is_some() || query.after.is_some();
    if paged && query.format != Format::Json {
        return Err(not_paged("csv and xlsx exports hold every row: page the JSON ledger"));
    }
    let limit = query.limit.map(|n| page_size(Some(n), n, MAX_LEDGER_PAGE)).transpose()?;
    let mut selection = selection(store, audience, query, now_ms).await?;
    (selection.after, selection.limit) = (query.after, limit);
    let page = store.ledger(selection).await?;
    Ok(KeptLedger { from: query.from, to: query.to, columns: sync_protocol::ledger::columns(query.lang), rows: page.rows, next: page.next })
}

/// A [`Ledger`] with its rows as the read model keeps them (each row's JSON), so that the JSON
/// reply writes them as they are instead of building each row again.
pub type KeptLedger = Ledger<KeptRow>;

/// The ledger with its rows read back (for the CSV and XLSX exports).
pub fn read(kept: KeptLedger) -> Result<Ledger, serde_json::Error> {
    kept.try_map_rows(|row| row.row())
}

/// Writes the JSON serde writes for the [`Ledger`], byte for byte, each row as kept.
pub fn write_json(kept: &KeptLedger, out: &mut dyn Write) -> Result<(), serde_json::Error> {
    #[derive(serde::Serialize)]
    struct Head<'a> {
        from: &'a NaiveDate,
        to: &'a NaiveDate,
        columns: &'a [Column],
    }
    let mut head = serde_json::to_vec(&Head { from: &kept.from, to: &kept.to, columns: &kept.columns })?;
    head.pop(); // its closing brace: the rows follow
    out.write_all(&head).map_err(serde_json::Error::io)?;
    out.write_all(b",\"rows\":[").map_err(serde_json::Error::io)?;
    for (i, row) in kept.rows.iter().enumerate() {
        let comma: &[u8] = if i == 0 { b"" } else { b"," };
        out.write_all(comma).and_then(|()| out.write_all(row.0.as_bytes())).map_err(serde_json::Error::io)?;
    }
    out.write_all(b"]").map_err(serde_json::Error::io)?;
    if let Some(next) = &kept.next {
        out.write_all(b",\"next\":").map_err(serde_json::Error::io)?;
        serde_json::to_writer(&mut *out, next)?;
    }
    out.write_all(b"}").map_err(serde_json::Error::io)
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

#[cfg(test)]
mod tests {
    use super::*;
    use sync_protocol::ids::EventId;
    use sync_protocol::ledger::LedgerRow;

    fn row(i: u8) -> LedgerRow {
        LedgerRow {
            patrol: format!("patrol-{i}"),
            officer: "vo-t01-v01".into(),
            village: "V01".into(),
            township: "T01".into(),
            zone: "Z-T01-V01".into(),
            week: "2026-W25".into(),
            started: "2026-06-15 08:00:00".into(),
            ended: "2026-06-15 09:10:00".into(),
            distance_m: 4_200 + u64::from(i),
            counts: i.is_multiple_of(2).then_some(true),
            explanation: "70 min \"in zone\"".into(),
            result: "findings".into(),
            summary: "河岸 \u{1}".into(),
            findings: "unlicensed_mining/rare_earth high_priority".into(),
            licence_checks: "none: unlicensed_area".into(),
            high_priority: i == 1,
            flags: "protected_mineral".into(),
            cases: "received".into(),
            evidence: "ab".repeat(32),
            attachments: String::new(),
        }
    }

    #[test]
    fn the_kept_ledger_writes_what_serde_writes_for_the_ledger() -> Result<(), Box<dyn std::error::Error>> {
        let rows: Vec<LedgerRow> = (0..3).map(row).collect();
        let next = Some(LedgerCursor { started_at: 1_781_481_600_000, patrol: EventId(uuid::Uuid::from_u128(7)) });
        for (rows, next) in [(rows.clone(), next), (rows, None), (Vec::new(), None)] {
            let ledger = Ledger {
                from: NaiveDate::from_ymd_opt(2026, 6, 15).ok_or("day")?,
                to: NaiveDate::from_ymd_opt(2026, 6, 21).ok_or("day")?,
                columns: sync_protocol::ledger::columns(sync_protocol::wire::reports::Lang::Zh),
                rows,
                next,
            };
            let kept = ledger.clone().try_map_rows(|r| serde_json::to_string(&r).map(KeptRow))?;
            let mut written = Vec::new();
            write_json(&kept, &mut written)?;
            assert_eq!(String::from_utf8(written)?, serde_json::to_string(&ledger)?);
            assert_eq!(read(kept)?, ledger);
        }
        Ok(())
    }
}
