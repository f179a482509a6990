//! The patrol ledger (巡查台帐): one definition of its row, its columns and headings, and the pure
//! function that builds a row, shared by the server's read model and exports (JSON, CSV, XLSX) and
//! by the phone's ledger.
//!
//! A row is built from two halves: what the patrol's own events say ([`PatrolEntry`]: the fold of
//! the patrol, its amendments, findings and attachments), which the server's read model keeps per
//! patrol, and what is read beside it ([`LedgerFacts`]: where its zone lay when it started, the
//! checks' quota decision and licence verdicts, the open flags, the cases on its findings), which
//! change without an event of the patrol.
//!
//! # Layout
//! - [`columns`]: the columns in export order with their headings, and a row's cells.
//! - [`entry`]: [`PatrolEntry`] and [`FindingEntry`], from a projection.
//! - [`checked`]: [`LedgerFacts`] from checks run where the row is shown (the phone's ledger).

pub mod checked;
pub mod columns;
pub mod entry;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use checked::Checked;
pub use columns::{COLUMNS, Cell, ColumnSpec, cells, columns};
pub use entry::{FindingEntry, PatrolEntry};

use crate::checks::licence::LicenceVerdict;
use crate::ids::{EventId, UnitId};
use crate::values::{COUNTY_UTC_OFFSET_MS, IsoWeek};
use crate::wire::FlagKind;

/// One patrol in the ledger. Lists inside a cell are joined with `"; "`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerRow {
    pub patrol: String,
    pub officer: String,
    pub village: String,
    pub township: String,
    pub zone: String,
    pub week: String,
    /// County time, `YYYY-MM-DD HH:MM:SS`.
    pub started: String,
    pub ended: String,
    pub distance_m: u64,
    /// `None` while the patrol has not been checked.
    pub counts: Option<bool>,
    pub explanation: String,
    pub result: String,
    pub summary: String,
    /// Per finding: `kind/mineral`, then `stopped_on_spot` and `high_priority` when they hold.
    pub findings: String,
    /// Per finding: the licence the location lies in (or `none`) and the licence flags.
    pub licence_checks: String,
    /// A finding of the patrol involves a protected mineral (rare earth, tin): by its licence
    /// check, or by its own mineral while it has not been checked.
    #[serde(default)]
    pub high_priority: bool,
    /// Kinds of the flags not withdrawn on the patrol and its findings.
    pub flags: String,
    /// Per case opened on one of its findings: its status.
    pub cases: String,
    /// The patrol's event hash, then its findings' event hashes.
    pub evidence: String,
    /// The SHA-256 of each attachment of the patrol, then of each finding's (each in the order
    /// the attachments were folded), space-separated.
    pub attachments: String,
}

/// What a ledger row reads beside its [`PatrolEntry`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LedgerFacts {
    /// The village and township of the zone's version in force when the patrol started
    /// ([`crate::zones`]); `None` for a zone never defined.
    pub place: Option<(UnitId, UnitId)>,
    /// Whether the patrol counts toward the quota, and why; `None` while unchecked.
    pub decision: Option<(bool, String)>,
    /// Each finding's licence verdict.
    pub verdicts: BTreeMap<EventId, LicenceVerdict>,
    /// Per event (the patrol, its findings): the kinds of its flags not withdrawn, in the order raised.
    pub flags: BTreeMap<EventId, Vec<FlagKind>>,
    /// The status of each case opened on one of its findings, by case id.
    pub cases: Vec<String>,
}

impl LedgerFacts {
    /// Whether `finding` is high priority: as its licence check says, or by its own mineral while
    /// it has not been checked.
    pub fn high_priority(&self, finding: &FindingEntry) -> bool {
        self.verdicts.get(&finding.id).map_or(finding.high_priority, |v| v.high_priority)
    }
}

/// The ledger row of `entry` with what is read beside it.
pub fn row(entry: &PatrolEntry, checks: &LedgerFacts) -> LedgerRow {
    let high = |f: &FindingEntry| checks.high_priority(f);
    let licence = |f: &FindingEntry| match checks.verdicts.get(&f.id) {
        Some(v) => {
            let flags: Vec<&str> = v.flags.iter().map(|x| x.kind().as_str()).collect();
            let at = v.licence.as_ref().map_or("none".to_string(), |l| l.to_string());
            if flags.is_empty() { at } else { format!("{at}: {}", flags.join(",")) }
        }
        None => "not checked".into(),
    };
    let events = std::iter::once(entry.patrol).chain(entry.findings.iter().map(|f| f.id));
    let flags: Vec<&str> = events.filter_map(|e| checks.flags.get(&e)).flatten().map(|k| k.as_str()).collect();
    let (counts, explanation) = checks.decision.clone().map_or((None, String::new()), |(c, w)| (Some(c), w));
    let (village, township) = checks.place.as_ref().map_or((String::new(), String::new()), |(v, t)| (v.to_string(), t.to_string()));
    LedgerRow {
        patrol: entry.patrol.to_string(),
        officer: entry.officer.to_string(),
        village,
        township,
        zone: entry.zone.to_string(),
        week: IsoWeek::of_ms(entry.started_at).to_string(),
        started: county_time(entry.started_at),
        ended: county_time(entry.ended_at),
        distance_m: entry.distance_m,
        counts,
        explanation,
        result: snake(&entry.result),
        summary: entry.summary.clone(),
        findings: entry.findings.iter().map(|f| f.describe(high(f))).collect::<Vec<_>>().join("; "),
        licence_checks: entry.findings.iter().map(licence).collect::<Vec<_>>().join("; "),
        high_priority: entry.findings.iter().any(high),
        flags: flags.join("; "),
        cases: checks.cases.join("; "),
        evidence: entry.evidence.join(" "),
        attachments: entry.attachments.join(" "),
    }
}

/// `YYYY-MM-DD HH:MM:SS`, county time (UTC+8). Written field by field: a ledger writes two a row,
/// and chrono's `format` parses its pattern again each time; a year outside 0–9999 (never a
/// patrol's) goes through `format`, which writes its sign.
pub fn county_time(ms: i64) -> String {
    use chrono::{Datelike, Timelike};
    use std::fmt::Write;
    let Some(t) = chrono::DateTime::from_timestamp_millis(ms.saturating_add(COUNTY_UTC_OFFSET_MS)) else { return String::new() };
    if !(0..=9999).contains(&t.year()) {
        return t.format("%Y-%m-%d %H:%M:%S").to_string();
    }
    let mut s = String::with_capacity(19);
    let _ = write!(s, "{:04}-{:02}-{:02} {:02}:{:02}:{:02}", t.year(), t.month(), t.day(), t.hour(), t.minute(), t.second());
    s
}

/// A unit-like enum's snake_case name, as serde writes it.
pub fn snake<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn county_time_writes_what_chronos_format_writes(ms in -70_000_000_000_000_i64..300_000_000_000_000) {
            let chrono = chrono::DateTime::from_timestamp_millis(ms + COUNTY_UTC_OFFSET_MS)
                .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
                .unwrap_or_default();
            prop_assert_eq!(county_time(ms), chrono);
        }
    }

    #[test]
    fn county_time_is_the_county_clock() {
        assert_eq!(county_time(1_764_131_257_000), "2025-11-26 12:27:37");
        assert_eq!(county_time(0), "1970-01-01 08:00:00");
        assert_eq!(county_time(i64::MAX), "");
    }
}
