//! The report routes' queries and replies (`GET /v1/compliance`, `/v1/reconciliation`,
//! `/v1/ledger`, `/v1/audit/townships`), as the server writes them and a client reads them.
//! docs/reports.md describes each field; the figures themselves are `crate::compliance`'s.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::body::Role;
use crate::compliance::{ComplianceRules, OfficerWeek, Rollup};
use crate::fold::MissedDeadline;
use crate::ids::{DeviceId, EventId, UnitId, UserId, ZoneId};
use crate::values::IsoWeek;

/// The ledger's row is [`crate::ledger`]'s, shared with the phone's ledger.
pub use crate::ledger::LedgerRow;
use crate::wire::evidence::MissingEvidence;

/// `GET /v1/compliance` and `GET /v1/audit/townships`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplianceQuery {
    /// Defaults to the current week (county time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub week: Option<IsoWeek>,
    /// Only this township (inspectors and the county).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub township: Option<UnitId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplianceReport {
    pub week: IsoWeek,
    pub rules: ComplianceRules,
    /// The server's clock when the report was made (Unix ms): "awaiting" and "overdue" are as of then.
    pub as_of: i64,
    pub officers: Vec<OfficerWeek>,
    pub townships: BTreeMap<UnitId, Rollup>,
    /// The county's roll-up: for the county section and commissioners only.
    pub county: Option<Rollup>,
}

/// The county's comparison of its townships for one week (`GET /v1/audit/townships`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TownshipComparison {
    pub week: IsoWeek,
    pub as_of: i64,
    pub townships: BTreeMap<UnitId, Rollup>,
    pub county: Option<Rollup>,
}

impl From<ComplianceReport> for TownshipComparison {
    fn from(r: ComplianceReport) -> Self {
        TownshipComparison { week: r.week, as_of: r.as_of, townships: r.townships, county: r.county }
    }
}

/// `GET /v1/reconciliation`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReconciliationQuery {
    pub township: UnitId,
    /// Defaults to the current week (county time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub week: Option<IsoWeek>,
}

/// What is missing or late in one township.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reconciliation {
    pub township: UnitId,
    pub week: IsoWeek,
    pub as_of: i64,
    pub stale_sync_after_days: f64,
    pub officers_under_quota: Vec<UnderQuota>,
    /// Officers who found nothing in the week and filed no zero report.
    pub zero_reports_missing: Vec<UserId>,
    pub devices_not_synced: Vec<DeviceSync>,
    pub findings_not_received: Vec<UnreceivedFinding>,
    pub tips_unanswered: Vec<OpenTip>,
    pub cases_overdue: Vec<OverdueCase>,
    /// Attachments of the township whose blob is not complete on the server, newest first: the
    /// first page of `GET /v1/evidence/missing?township=`.
    pub evidence_missing: Vec<MissingEvidence>,
    /// More such attachments than one page holds.
    pub evidence_missing_more: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnderQuota {
    pub officer: UserId,
    pub patrols: u32,
    pub patrols_counting: u32,
    pub patrols_unchecked: u32,
    pub quota: u32,
}

/// `GET /v1/devices/unsynced`: only this township (inspectors and the county).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnsyncedQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub township: Option<UnitId>,
}

/// The devices of the caller's townships (the whole county for the county section and
/// commissioners) that have not synced for `stale_sync_after_days` days, or never since login.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnsyncedDevices {
    pub as_of: i64,
    pub stale_sync_after_days: f64,
    pub devices: Vec<DeviceSync>,
}

/// When one device last synced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceSync {
    pub device: DeviceId,
    pub user: UserId,
    pub role: Role,
    /// The units the user serves (a village officer's village, an inspector's townships).
    pub units: Vec<UnitId>,
    /// The last sync the server took part in (Unix ms); `None`: never synced after login.
    pub last_sync_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnreceivedFinding {
    pub finding: EventId,
    pub officer: UserId,
    pub zone: ZoneId,
    pub observed_at: i64,
    /// Past the reporting window (`report_within_h`) with no receipt.
    pub late: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenTip {
    pub tip: EventId,
    pub received_at: Option<i64>,
    /// The village asked to check it, by the latest assignment.
    pub village: Option<UnitId>,
    pub cases: Vec<EventId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverdueCase {
    pub case: EventId,
    pub status: String,
    pub missed: Vec<MissedDeadline>,
}

/// The form of a ledger reply.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    #[default]
    Json,
    Csv,
    Xlsx,
}

/// The language of the ledger's headings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

/// `GET /v1/ledger`: at most one of `officer`, `village`, `township`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerQuery {
    /// First day (county time), inclusive.
    pub from: NaiveDate,
    /// Last day (county time), inclusive.
    pub to: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub officer: Option<UserId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub village: Option<UnitId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub township: Option<UnitId>,
    #[serde(default)]
    pub format: Format,
    #[serde(default)]
    pub lang: Lang,
    /// At most this many rows (1 to [`MAX_LEDGER_PAGE`]), JSON only; without it, every row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Only the rows after this one (the `next` of the page before), JSON only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<LedgerCursor>,
}

/// The most rows one page of the ledger may hold.
pub const MAX_LEDGER_PAGE: u32 = 10_000;

/// A place in the ledger's order: a patrol's start (Unix ms) and id. Written `<start>,<patrol>`
/// (e.g. `1764131257000,0192f0c1-7a3b-7c00-8000-000000000001`), the form `next` gives and `after`
/// takes. A page after it holds the rows whose (start, id) is greater, so a patrol arriving while
/// a client pages through lands on a later page, or on none if it sorts before the cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LedgerCursor {
    pub started_at: i64,
    pub patrol: EventId,
}

impl std::fmt::Display for LedgerCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{},{}", self.started_at, self.patrol)
    }
}

impl std::str::FromStr for LedgerCursor {
    type Err = crate::ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || crate::ValidationError::Field {
            field: "after",
            problem: format!("{s:?} is not a ledger cursor (<start ms>,<patrol id>, as a page's next gives it)"),
        };
        let (start, patrol) = s.split_once(',').ok_or_else(bad)?;
        Ok(LedgerCursor { started_at: start.parse().map_err(|_| bad())?, patrol: patrol.parse().map_err(|_| bad())? })
    }
}

impl TryFrom<String> for LedgerCursor {
    type Error = crate::ValidationError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<LedgerCursor> for String {
    fn from(c: LedgerCursor) -> String {
        c.to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub key: String,
    pub heading: String,
}

/// The patrol ledger (巡查台帐) as JSON: the columns in export order, one row per patrol. A server
/// may hold its rows in another form `R` (as its read model keeps them) until it writes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger<R = LedgerRow> {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub columns: Vec<Column>,
    pub rows: Vec<R>,
    /// With `limit`: the cursor to ask the next page `after`, when rows follow this page. Never
    /// in a reply to a request without `limit`, whose reply is as it always was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<LedgerCursor>,
}

impl<R> Ledger<R> {
    /// The same ledger with each row turned into another form, or the first row's error.
    pub fn try_map_rows<S, E>(self, f: impl FnMut(R) -> Result<S, E>) -> Result<Ledger<S>, E> {
        let rows = self.rows.into_iter().map(f).collect::<Result<_, _>>()?;
        Ok(Ledger { from: self.from, to: self.to, columns: self.columns, rows, next: self.next })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_read_back_what_a_client_writes_and_leave_out_what_it_does_not_name() {
        let q = ComplianceQuery { week: Some("2026-W50".parse().expect("week")), township: None };
        let text = serde_json::to_value(&q).expect("json");
        assert_eq!(text, serde_json::json!({"week": "2026-W50"}));
        assert_eq!(serde_json::from_value::<ComplianceQuery>(text).expect("read"), q);
        let l: LedgerQuery = serde_json::from_value(serde_json::json!({"from": "2026-12-01", "to": "2026-12-07"})).expect("read");
        assert_eq!((l.format, l.lang, l.officer), (Format::Json, Lang::Zh, None));
        assert!(serde_json::from_value::<LedgerQuery>(serde_json::json!({"from": "2026-12-01", "to": "x"})).is_err());
    }

    #[test]
    fn a_ledger_cursor_reads_back_what_it_writes_and_refuses_anything_else() {
        let c = LedgerCursor { started_at: 1_764_131_257_000, patrol: "0192f0c1-7a3b-7c00-8000-000000000001".parse().expect("id") };
        assert_eq!(c.to_string(), "1764131257000,0192f0c1-7a3b-7c00-8000-000000000001");
        assert_eq!(c.to_string().parse::<LedgerCursor>(), Ok(c));
        let q: LedgerQuery =
            serde_json::from_value(serde_json::json!({"from": "2026-12-01", "to": "2026-12-07", "after": c.to_string()})).expect("read");
        assert_eq!(q.after, Some(c));
        for bad in ["", "1764131257000", "x,0192f0c1-7a3b-7c00-8000-000000000001", "1764131257000,not-an-id", ",", "1,2,3"] {
            assert!(bad.parse::<LedgerCursor>().is_err(), "{bad:?}");
        }
    }
}
