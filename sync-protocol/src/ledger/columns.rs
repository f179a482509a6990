//! The ledger's columns in export order, their Chinese and English headings, and a row's cells:
//! the same values in the JSON, the CSV and the XLSX export, on the server and on the phone.

use super::LedgerRow;
use crate::wire::reports::{Column, Lang};

/// A column: its key (a field of [`LedgerRow`]) and its headings.
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

/// The columns with their headings in `lang`, as a ledger lists them.
pub fn columns(lang: Lang) -> Vec<Column> {
    COLUMNS.iter().map(|c| Column { key: c.key.into(), heading: c.heading(lang).into() }).collect()
}

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
