//! The ledger's columns, their Chinese and English headings, and one patrol's row: the same values
//! in the JSON, the CSV and the XLSX export.

use serde::Serialize;
use sync_protocol::fold::{Patrol, Projection};
use sync_protocol::values::{COUNTY_UTC_OFFSET_MS, IsoWeek};
use sync_protocol::wire::reports::{Lang, LedgerRow};

use crate::store::reports::LedgerFacts;

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

/// A cell as exports write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Number(u64),
    Empty,
}

/// The cells of `row` in [`COLUMNS`] order.
pub fn cells(row: &LedgerRow) -> Vec<Cell> {
    let t = |s: &String| Cell::Text(s.clone());
    let counts = row.counts.map_or(Cell::Empty, |c| Cell::Text(c.to_string()));
    vec![
        t(&row.patrol),
        t(&row.officer),
        t(&row.village),
        t(&row.township),
        t(&row.zone),
        t(&row.week),
        t(&row.started),
        t(&row.ended),
        Cell::Number(row.distance_m),
        counts,
        t(&row.explanation),
        t(&row.result),
        t(&row.summary),
        t(&row.findings),
        t(&row.licence_checks),
        Cell::Text(row.high_priority.to_string()),
        t(&row.flags),
        t(&row.cases),
        t(&row.evidence),
        t(&row.attachments),
    ]
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
        let cells = cells(&row);
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
