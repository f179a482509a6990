//! A roster table read into typed rows: the headings found (in Chinese or English), each row's
//! cells checked on their own (kind, ids, names, role or level, phone, dates). What needs other
//! rows or the store (duplicates, units, zones) is `plan`'s.

use std::collections::HashMap;
use sync_protocol::body::{Role, UnitLevel, check_phone};
use sync_protocol::ids::{UnitId, UserId, ZoneId};

use super::columns::{self, Column, Language, RowKind, letter};
use super::dates::parse_day;
use super::problem::{Cell, RosterProblems};
use super::table::Rows;

/// A township-level unit or village of the roster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRow {
    pub row: usize,
    pub unit: UnitId,
    pub level: UnitLevel,
    pub name: String,
    pub name_zh: String,
    pub parent: UnitId,
    pub land_office: bool,
}

/// A person of the roster, with a village officer's zone from a day on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRow {
    pub row: usize,
    pub user: UserId,
    pub name: String,
    pub role: Role,
    pub units: Vec<UnitId>,
    pub phone: Option<String>,
    /// A village officer's zone and its first day (Unix ms, county midnight).
    pub zone: Option<(ZoneId, i64)>,
}

/// A roster, read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roster {
    pub units: Vec<UnitRow>,
    pub people: Vec<PersonRow>,
    /// The language of the headings (export writes the same).
    pub language: Language,
    /// Where each column is, for the problems found later.
    pub columns: HashMap<Column, (usize, String)>,
}

impl Roster {
    /// The cell of `column` in `row`, for a problem.
    pub fn cell(&self, row: usize, column: Column) -> Cell {
        Cell { row, column: self.columns.get(&column).map(|(i, h)| (letter(*i), h.clone())) }
    }
}

const REQUIRED: [Column; 3] = [Column::Kind, Column::Id, Column::Name];

/// Reads `rows` (the heading row first); every problem of every row, or the roster.
pub fn parse(rows: &Rows) -> Result<Roster, RosterProblems> {
    let mut problems = RosterProblems::default();
    let mut roster = Roster::default();
    let Some(headings) = rows.first() else {
        problems.push(Cell { row: 1, column: None }, "missing_column", "the roster is empty: its first row names the columns");
        return Err(problems);
    };
    let mut chinese = 0;
    for (i, h) in headings.iter().enumerate() {
        match Column::from_heading(h) {
            Some(c) if roster.columns.contains_key(&c) => problems.push(
                Cell { row: 1, column: Some((letter(i), h.clone())) },
                "duplicate_column",
                format!("{} is named twice", c.english()),
            ),
            Some(c) => {
                chinese += usize::from(h.trim() == c.chinese());
                roster.columns.insert(c, (i, h.clone()));
            }
            None if h.trim().is_empty() => {}
            None => problems.push(Cell { row: 1, column: Some((letter(i), h.clone())) }, "unknown_column", "not a roster column"),
        }
    }
    roster.language = if chinese * 2 > roster.columns.len() { Language::Chinese } else { Language::English };
    for c in REQUIRED {
        if !roster.columns.contains_key(&c) {
            problems.push(Cell { row: 1, column: None }, "missing_column", format!("no {} ({}) column", c.english(), c.chinese()));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    for (i, cells) in rows.iter().enumerate().skip(1) {
        let mut row = RowReader { roster: &roster, row: i + 1, cells, problems: &mut problems };
        if row.is_blank() {
            continue;
        }
        match row.req(Column::Kind, |s| columns::kind(s).ok_or("unit (单位) or person (人员)")) {
            Some(RowKind::Unit) => {
                if let Some(u) = row.unit() {
                    roster.units.push(u);
                }
            }
            Some(RowKind::Person) => {
                if let Some(p) = row.person() {
                    roster.people.push(p);
                }
            }
            None => {}
        }
    }
    if problems.is_empty() { Ok(roster) } else { Err(problems.sorted()) }
}

/// One row's cells, read with its problems noted.
struct RowReader<'a> {
    roster: &'a Roster,
    row: usize,
    cells: &'a [String],
    problems: &'a mut RosterProblems,
}

impl RowReader<'_> {
    fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.trim().is_empty())
    }

    fn text(&self, c: Column) -> &str {
        self.roster.columns.get(&c).and_then(|(i, _)| self.cells.get(*i)).map_or("", |s| s.trim())
    }

    fn note(&mut self, c: Column, rule: &'static str, message: impl Into<String>) {
        let at = self.roster.cell(self.row, c);
        self.problems.push(at, rule, message);
    }

    /// A required cell, parsed; a problem if it is empty or does not parse.
    fn req<T, E: std::fmt::Display>(&mut self, c: Column, parse: impl FnOnce(&str) -> Result<T, E>) -> Option<T> {
        let text = self.text(c).to_owned();
        if text.is_empty() {
            self.note(c, "missing_value", format!("{} is required here", c.english()));
            return None;
        }
        self.parsed(c, &text, parse)
    }

    /// An optional cell, parsed.
    fn opt<T, E: std::fmt::Display>(&mut self, c: Column, parse: impl FnOnce(&str) -> Result<T, E>) -> Option<Option<T>> {
        let text = self.text(c).to_owned();
        if text.is_empty() {
            return Some(None);
        }
        self.parsed(c, &text, parse).map(Some)
    }

    fn parsed<T, E: std::fmt::Display>(&mut self, c: Column, text: &str, parse: impl FnOnce(&str) -> Result<T, E>) -> Option<T> {
        match parse(text) {
            Ok(v) => Some(v),
            Err(e) => {
                let rule = match c {
                    Column::From => "bad_date",
                    Column::Id | Column::Unit | Column::Zone => "invalid_id",
                    _ => "invalid_value",
                };
                self.note(c, rule, format!("{text:?}: {e}"));
                None
            }
        }
    }

    /// A cell that must be empty for this kind of row.
    fn empty(&mut self, c: Column, why: &str) {
        if !self.text(c).is_empty() {
            self.note(c, "invalid_value", format!("{} is not given for {why}", c.english()));
        }
    }

    fn unit(&mut self) -> Option<UnitRow> {
        let unit = self.req(Column::Id, |s| UnitId::new(s));
        let level = self.req(Column::Level, |s| columns::level(s).ok_or("township (乡), town (镇), farm (场) or village (村)"));
        let name = self.req(Column::Name, text(200));
        let name_zh = self.req(Column::NameZh, text(200));
        let parent = self.req(Column::Unit, |s| UnitId::new(s));
        let land_office = self.opt(Column::LandOffice, |s| columns::yes_no(s).ok_or("yes (是) or no (否)")).map(Option::unwrap_or_default);
        for c in [Column::Role, Column::Phone, Column::Zone, Column::From] {
            self.empty(c, "a unit");
        }
        Some(UnitRow {
            row: self.row,
            unit: unit?,
            level: level?,
            name: name?,
            name_zh: name_zh?,
            parent: parent?,
            land_office: land_office?,
        })
    }

    fn person(&mut self) -> Option<PersonRow> {
        let user = self.req(Column::Id, |s| UserId::new(s));
        let name = self.req(Column::Name, text(200));
        let role = self
            .req(Column::Role, |s| columns::role(s).ok_or("village_officer, township_inspector, county_auditor, commissioner or admin"));
        let units = self.req(Column::Unit, unit_list);
        let phone = self.opt(Column::Phone, |s| check_phone(Some(s)).map(|()| s.to_owned()));
        let zone = self.opt(Column::Zone, |s| ZoneId::new(s));
        let from = self.opt(Column::From, parse_day);
        for c in [Column::NameZh, Column::Level, Column::LandOffice] {
            self.empty(c, "a person");
        }
        let (role, zone, from) = (role?, zone?, from?);
        let zone = match (role, zone, from) {
            (Role::VillageOfficer, Some(z), Some(f)) => Some((z, f)),
            (Role::VillageOfficer, None, _) => {
                self.note(Column::Zone, "officer_without_zone", "a village officer (动态巡查信息员) needs a zone (片区)");
                None
            }
            (Role::VillageOfficer, Some(_), None) => {
                self.note(Column::From, "missing_value", "the day the officer's zone is theirs from (YYYY-MM-DD)");
                None
            }
            (_, None, None) => None,
            (_, _, _) => {
                self.note(Column::Zone, "zone_not_for_role", "only a village officer has a zone and its day");
                None
            }
        };
        if role == Role::VillageOfficer && zone.is_none() {
            return None;
        }
        Some(PersonRow { row: self.row, user: user?, name: name?, role, units: units?, phone: phone?, zone })
    }
}

/// A name of at most `max` characters.
fn text(max: usize) -> impl FnOnce(&str) -> Result<String, String> {
    move |s| if s.chars().count() > max { Err(format!("longer than {max} characters")) } else { Ok(s.to_owned()) }
}

/// Unit ids separated by `;`, `；` or `、` (a comma would split a CSV cell).
fn unit_list(s: &str) -> Result<Vec<UnitId>, sync_protocol::ValidationError> {
    s.split([';', '；', '、']).map(str::trim).filter(|u| !u.is_empty()).map(UnitId::new).collect()
}

/// A roster's unit list as written back.
pub fn unit_list_text(units: &[UnitId]) -> String {
    units.iter().map(UnitId::as_str).collect::<Vec<_>>().join(";")
}
