//! The ledger's columns, their Chinese and English headings, and one patrol's row: the same values
//! in the JSON, the CSV and the XLSX export.

use serde::{Deserialize, Serialize};
use sync_protocol::fold::{Patrol, Projection};
use sync_protocol::values::{COUNTY_UTC_OFFSET_MS, IsoWeek};

use crate::store::ledger_facts::LedgerFacts;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

pub struct ColumnSpec {
    pub key: &'static str,
    zh: &'static str,
    en: &'static str,
}

impl ColumnSpec {
    pub fn heading(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.zh,
            Lang::En => self.en,
        }
    }
}

const fn col(key: &'static str, zh: &'static str, en: &'static str) -> ColumnSpec {
    ColumnSpec { key, zh, en }
}

/// The columns in export order; each is a field of [`LedgerRow`].
pub const COLUMNS: [ColumnSpec; 20] = [
    col("patrol", "巡查编号", "patrol"),
    col("officer", "巡查信息员", "officer"),
    col("village", "村", "village"),
    col("township", "乡镇", "township"),
    col("zone", "责任片区", "zone"),
    col("week", "周次", "week"),
    col("started", "开始时间", "started"),
    col("ended", "结束时间", "ended"),
    col("distance_m", "巡查里程(米)", "distance (m)"),
    col("counts", "计入有效巡查", "counts toward quota"),
    col("explanation", "核查说明", "check"),
    col("result", "巡查结果", "result"),
    col("summary", "巡查情况", "summary"),
    col("findings", "发现问题", "findings"),
    col("licence_checks", "许可核查", "licence checks"),
    col("high_priority", "重点", "high priority"),
    col("flags", "预警", "flags"),
    col("cases", "案件状态", "case state"),
    col("evidence", "证据哈希", "evidence hashes"),
    col("attachments", "附件", "attachments"),
];

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

/// A cell as exports write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Number(u64),
    Empty,
}

impl LedgerRow {
    /// The cells in [`COLUMNS`] order.
    pub fn cells(&self) -> Vec<Cell> {
        let t = |s: &String| Cell::Text(s.clone());
        let counts = self.counts.map_or(Cell::Empty, |c| Cell::Text(c.to_string()));
        vec![
            t(&self.patrol),
            t(&self.officer),
            t(&self.village),
            t(&self.township),
            t(&self.zone),
            t(&self.week),
            t(&self.started),
            t(&self.ended),
            Cell::Number(self.distance_m),
            counts,
            t(&self.explanation),
            t(&self.result),
            t(&self.summary),
            t(&self.findings),
            t(&self.licence_checks),
            Cell::Text(self.high_priority.to_string()),
            t(&self.flags),
            t(&self.cases),
            t(&self.evidence),
            t(&self.attachments),
        ]
    }
}

fn county_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms + COUNTY_UTC_OFFSET_MS)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

fn snake<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// The row of one patrol.
pub fn row_of(p: &Projection, facts: &LedgerFacts, x: &Patrol) -> LedgerRow {
    let zone = p.zones.get(&x.zone);
    let findings: Vec<_> = x.findings.iter().filter_map(|f| p.findings.get(f)).collect();
    let high = |f: &sync_protocol::fold::Finding| facts.verdicts.get(&f.id).map_or(f.high_priority, |v| v.high_priority);
    let describe = |f: &&sync_protocol::fold::Finding| {
        let mut s = snake(&f.kind);
        if let Some(m) = f.mineral {
            s = format!("{s}/{}", snake(&m));
        }
        for (holds, tag) in [(f.stopped_on_spot, "stopped_on_spot"), (high(f), "high_priority")] {
            if holds {
                s.push_str(&format!(" {tag}"));
            }
        }
        s
    };
    let licence = |f: &&sync_protocol::fold::Finding| match facts.verdicts.get(&f.id) {
        Some(v) => {
            let flags: Vec<&str> = v.flags.iter().map(|x| x.kind().as_str()).collect();
            let at = v.licence.as_ref().map_or("none".to_string(), |l| l.to_string());
            if flags.is_empty() { at } else { format!("{at}: {}", flags.join(",")) }
        }
        None => "not checked".into(),
    };
    let events = std::iter::once(x.id).chain(findings.iter().map(|f| f.id));
    let flags: Vec<&str> = events.filter_map(|e| facts.flags.get(&e)).flatten().map(|k| k.as_str()).collect();
    let cases: Vec<&str> = p
        .cases
        .values()
        .filter(|c| matches!(c.source, sync_protocol::body::CaseSource::Finding(f) if x.findings.contains(&f)))
        .map(|c| c.status_label())
        .collect();
    let evidence = std::iter::once(x.evidence.clone()).chain(findings.iter().filter_map(|f| facts.hashes.get(&f.id).cloned()));
    let attachments = std::iter::once(&x.id).chain(&x.findings).flat_map(|s| p.attachments_of(s)).map(|a| a.sha256.to_hex());
    let (counts, explanation) = facts.checks.get(&x.id).map_or((None, String::new()), |(c, w)| (Some(*c), w.clone()));
    LedgerRow {
        patrol: x.id.to_string(),
        officer: x.officer.to_string(),
        village: zone.map(|z| z.village.to_string()).unwrap_or_default(),
        township: zone.map(|z| z.township.to_string()).unwrap_or_default(),
        zone: x.zone.to_string(),
        week: IsoWeek::of_ms(x.started_at).to_string(),
        started: county_time(x.started_at),
        ended: county_time(x.ended_at),
        distance_m: x.distance_m,
        counts,
        explanation,
        result: snake(&x.result),
        summary: x.summary.clone(),
        findings: findings.iter().map(describe).collect::<Vec<_>>().join("; "),
        licence_checks: findings.iter().map(licence).collect::<Vec<_>>().join("; "),
        high_priority: findings.iter().any(|f| high(f)),
        flags: flags.join("; "),
        cases: cases.join("; "),
        evidence: evidence.collect::<Vec<_>>().join(" "),
        attachments: attachments.collect::<Vec<_>>().join(" "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_is_a_field_of_the_row_and_the_cells_follow_the_columns() {
        let row = LedgerRow {
            patrol: "p".into(),
            officer: "o".into(),
            village: "v".into(),
            township: "t".into(),
            zone: "z".into(),
            week: "w".into(),
            started: "s".into(),
            ended: "e".into(),
            distance_m: 7,
            counts: Some(true),
            explanation: "x".into(),
            result: "r".into(),
            summary: "su".into(),
            findings: "f".into(),
            licence_checks: "l".into(),
            high_priority: true,
            flags: "fl".into(),
            cases: "c".into(),
            evidence: "ev".into(),
            attachments: "a".into(),
        };
        let json = serde_json::to_value(&row).expect("json");
        let cells = row.cells();
        assert_eq!(cells.len(), COLUMNS.len());
        assert_eq!(json.as_object().map(|o| o.len()), Some(COLUMNS.len()));
        for (c, cell) in COLUMNS.iter().zip(cells) {
            let expected = match &json[c.key] {
                serde_json::Value::String(s) => Cell::Text(s.clone()),
                serde_json::Value::Number(n) => Cell::Number(n.as_u64().expect("u64")),
                serde_json::Value::Bool(b) => Cell::Text(b.to_string()),
                other => panic!("{}: {other}", c.key),
            };
            assert_eq!(cell, expected, "{}", c.key);
        }
    }
}
