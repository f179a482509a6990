//! The writer's rows that wait in its queue (`queue`) as rows of one multi-row `INSERT` per
//! statement, sent before the next answered statement: a push's events, their log leaves and their
//! routes, its new patrols' checks and read-model rows, one statement each for the whole push
//! rather than one per row (issue 16's push on PostgreSQL, where each statement costs the backend
//! a parse, a plan's start and a round of its executor, and each row trigger a PL/pgSQL call).
//!
//! # When rows may wait
//! Only single-row inserts into [`GROUPED`] tables wait so, and their rows reach the table later
//! than the writes queued after them. That is safe because:
//! - a queued statement that names one of these tables, and every answered statement, sends the
//!   waiting rows first, so the writer never reads or changes a table while rows of it wait;
//! - the groups are written in the order of [`GROUPED`] (a patrol's check before its `patrols`
//!   row, whose kept ledger row reads the check), each after every statement queued before it;
//! - a trigger of a table written meanwhile that reads a waiting table is harmless (migrations
//!   0008, 0011 to 0014 of the PostgreSQL set, checked one by one in docs/architecture.md,
//!   "Rows that wait"): the officer-week tallies come out the same whichever of a patrol and its
//!   check is written first; a ledger-row trigger (`flags`, `report_findings`, `finding_checks`,
//!   `report_cases`) that finds a waiting patrol missing clears nothing, and that patrol's insert
//!   writes its kept row only if the flags and the check stored then are those it was built from
//!   (`read_model::kept::kept_if`), its entry having no finding (a finding's patrol is written
//!   again, by a statement that names `patrols`);
//! - a job sends its rows before it ends (`Writer::run`), so their errors are the job's;
//! - a table's rows wait in one group at a time (a row of another statement text into the same
//!   table sends the groups first), so they reach it in the order queued;
//! - a statement whose values or conflict update read its own table, or one whose groups are
//!   written after it, does not wait (it would not see those rows), and neither does one with
//!   quoting this module does not read (`$…$`, `E'…'`).
//!
//! A waiting row's values may be expressions of its arguments (the kept row's `CASE`): the rows
//! are then only the arguments, and the statement selects the values from them (`INSERT … SELECT
//! expressions FROM (VALUES …) AS v`), each argument cast to its parameter's type, so that an
//! expression is parsed and planned once per statement, not once per row. An upsert may wait if
//! its conflict key is its first column and first argument: two rows of one statement may not
//! meet the same row, so a row whose key is already waiting sends the groups first.

use std::collections::HashSet;
use std::sync::Arc;

/// The tables whose rows may wait, in the order their groups are written. A trigger, or a write
/// the writer queues, that reads one of them must name it in its text, or be harmless (above).
pub const GROUPED: [&str; 5] = ["events", "merkle_leaves", "event_routes", "patrol_checks", "patrols"];

/// A piece of a waiting row's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    /// The argument numbered so (from 1) as a column's value: its literal alone, typed by the column.
    Value(usize),
    /// The argument numbered so inside an expression: its literal cast to its parameter's type.
    Typed(usize),
}

/// How a statement's rows wait (`groupable`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    /// The table's place in [`GROUPED`].
    pub rank: usize,
    /// `INSERT INTO t (columns)`.
    pub into: String,
    /// `(value, …)`, with its arguments to write in.
    pub row: Vec<Piece>,
    /// What follows the rows: nothing, or `ON CONFLICT (first column) DO UPDATE …`.
    pub tail: String,
    /// Whether the first argument is a conflict key, of which a statement may hold one row only.
    pub keyed: bool,
}

impl Shape {
    /// Whether a value is an expression: the rows are then the arguments alone, `(a1, …, an)`,
    /// and the statement selects the values from them, so that PostgreSQL parses and plans each
    /// expression (and its subqueries) once per statement rather than once per row.
    pub fn selects(&self) -> bool {
        self.row.iter().any(|p| matches!(p, Piece::Typed(_)))
    }

    /// The statement's text before its rows and after them, given each argument's type by its
    /// number: `INSERT INTO t (columns) VALUES ` and the tail; or, if it [`Shape::selects`],
    /// `INSERT INTO t (columns) SELECT value, … FROM (VALUES ` and `) AS v(a1, …, an)` and the tail,
    /// each argument in a value read as `CAST(v.aN AS type)`.
    pub fn ends(&self, type_of: &dyn Fn(usize) -> String) -> (String, String) {
        if !self.selects() {
            return (format!("{} VALUES ", self.into), self.tail.clone());
        }
        let mut values = String::new();
        for piece in &self.row {
            match piece {
                Piece::Text(t) => values.push_str(t),
                Piece::Value(n) | Piece::Typed(n) => values.push_str(&format!("CAST(v.a{n} AS {})", type_of(*n))),
            }
        }
        let values = values.strip_prefix('(').and_then(|v| v.strip_suffix(')')).unwrap_or(&values);
        let names: Vec<String> = (1..=self.arguments()).map(|n| format!("a{n}")).collect();
        (format!("{} SELECT {values} FROM (VALUES ", self.into), format!(") AS v({}){}", names.join(", "), self.tail))
    }

    /// A row, each argument written by `write(out, number)`: each column's, or every argument in
    /// order if the statement [`Shape::selects`].
    pub fn render<E>(&self, write: &mut dyn FnMut(&mut String, usize) -> Result<(), E>) -> Result<String, E> {
        let mut out = String::new();
        if self.selects() {
            for n in 1..=self.arguments() {
                out.push_str(if n == 1 { "(" } else { ", " });
                write(&mut out, n)?;
            }
            out.push(')');
            return Ok(out);
        }
        for piece in &self.row {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Value(n) | Piece::Typed(n) => write(&mut out, *n)?,
            }
        }
        Ok(out)
    }

    /// The highest argument number the row uses.
    pub fn arguments(&self) -> usize {
        self.row
            .iter()
            .map(|p| match p {
                Piece::Value(n) | Piece::Typed(n) => *n,
                Piece::Text(_) => 0,
            })
            .max()
            .unwrap_or(0)
    }
}

/// An insert whose rows wait: its statement's shape and text around the rows, and the rows so far.
#[derive(Debug)]
pub struct Group {
    /// The statement as written (`?N` placeholders), which identifies the group.
    pub sql: String,
    pub shape: Arc<Shape>,
    /// The statement's text before its rows and after them ([`Shape::ends`]).
    ends: (String, String),
    /// `(…), (…)`.
    rows: String,
    /// The keys of the rows, for a keyed upsert.
    keys: HashSet<String>,
}

impl Group {
    pub fn new(sql: &str, shape: Arc<Shape>, ends: (String, String)) -> Group {
        Group { sql: sql.to_owned(), shape, ends, rows: String::new(), keys: HashSet::new() }
    }

    /// Whether a row of key `key` waits in the group.
    pub fn holds(&self, key: &str) -> bool {
        self.keys.contains(key)
    }

    /// Adds a row as [`Shape::render`] wrote it, with its key if the statement is keyed.
    pub fn add(&mut self, row: &str, key: Option<String>) {
        if !self.rows.is_empty() {
            self.rows.push_str(", ");
        }
        self.rows.push_str(row);
        self.keys.extend(key);
    }

    /// The statement inserting every row, ended by `;`.
    pub fn statement(&self) -> String {
        format!("{}{}{};", self.ends.0, self.rows, self.ends.1)
    }
}

/// How `sql`'s rows may wait, if they may: a single-row insert into a [`GROUPED`] table,
/// `INSERT INTO t (columns) VALUES (value, …)`, one value per column, each a placeholder `?N` or
/// an expression holding one (a constant value is refused: the statement is not a row's own),
/// followed by nothing or by `ON CONFLICT (c) DO UPDATE …` where `c` is the first column and its
/// value `?1`; no placeholder outside the values, no `RETURNING`, no comment; and no value nor
/// conflict update that names this table or one whose groups are written after it.
pub fn groupable(sql: &str) -> Option<Shape> {
    let text = spaced(sql)?;
    let rest = text.strip_prefix("INSERT INTO ")?;
    let table = rest.split([' ', '(']).next()?;
    let rank = GROUPED.iter().position(|t| *t == table)?;
    let (head, values) = text.split_once(" VALUES (")?;
    let columns: Vec<&str> = head
        .strip_prefix("INSERT INTO ")?
        .strip_prefix(table)?
        .trim()
        .strip_prefix('(')?
        .strip_suffix(')')?
        .split(',')
        .map(str::trim)
        .collect();
    if head.contains(['?', '\'', '"']) {
        return None;
    }
    let (items, tail) = items(values)?;
    if items.len() != columns.len() {
        return None;
    }
    // A value or the conflict's update that reads this table, or one whose groups are written after
    // it, would not see the rows written with it or after it: such a statement does not wait.
    let later = &GROUPED[rank..];
    if items.iter().chain([&tail]).any(|item| placeholder(item).is_none() && later.iter().any(|t| unquoted(item).contains(t))) {
        return None;
    }
    let mut row = vec![Piece::Text("(".into())];
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            row.push(Piece::Text(", ".into()));
        }
        match placeholder(item) {
            Some(n) => row.push(Piece::Value(n)),
            None => row.extend(expression(item)?),
        }
    }
    row.push(Piece::Text(")".into()));
    let keyed = !tail.is_empty();
    if keyed {
        let target = format!(" ON CONFLICT ({}) DO UPDATE ", columns[0]);
        let outside = unquoted(tail);
        if !tail.starts_with(&target) || row[1] != Piece::Value(1) || outside.contains('?') || outside.to_uppercase().contains("RETURNING")
        {
            return None;
        }
    }
    Some(Shape { rank, into: head.to_owned(), row: merged(row), tail: tail.to_owned(), keyed })
}

/// Whether `sql` names a table whose rows may be waiting (conservatively: any mention of the name,
/// even inside a longer one).
pub fn names_grouped(sql: &str) -> bool {
    GROUPED.iter().any(|t| sql.contains(t))
}

/// `sql` with each run of blanks outside quotes made one space; none if it has a comment, a dollar
/// sign or a string with a prefix outside quotes (only `'…'` and `"…"` are read here).
fn spaced(sql: &str) -> Option<String> {
    let mut out = String::with_capacity(sql.len());
    let mut quote = None;
    let mut chars = sql.trim().chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == q {
                    quote = None;
                }
            }
            // A string with a prefix (`E'…'`, `B'…'`, `U&'…'`) is read otherwise than `'…'`.
            None if c == '\'' && out.ends_with(|p: char| p.is_alphanumeric() || p == '&' || p == '_') => return None,
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                out.push(c);
            }
            // Dollar quoting, and `$1` parameters: neither is this layer's.
            None if c == '$' => return None,
            None if (c == '-' && chars.peek() == Some(&'-')) || (c == '/' && chars.peek() == Some(&'*')) => return None,
            None if c.is_whitespace() => {
                while chars.next_if(|c| c.is_whitespace()).is_some() {}
                out.push(' ');
            }
            None => out.push(c),
        }
    }
    quote.is_none().then_some(out)
}

/// `text` with its quoted parts left out.
fn unquoted(text: &str) -> String {
    let mut quote = None;
    text.chars()
        .filter(|&c| match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                }
                false
            }
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                false
            }
            None => true,
        })
        .collect()
}

/// The values of `values` (what follows `VALUES (`) split at their own commas, and what follows
/// their closing parenthesis.
fn items(values: &str) -> Option<(Vec<&str>, &str)> {
    let (mut depth, mut quote, mut start) = (0usize, None, 0);
    let mut items = Vec::new();
    for (i, c) in values.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') if depth == 0 => {
                items.push(values[start..i].trim());
                return Some((items, values[i + 1..].trim_end_matches(';').trim_end()));
            }
            (None, ')') => depth -= 1,
            (None, ',') if depth == 0 => {
                items.push(values[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    None
}

/// The number of `item` if it is a placeholder alone, `?N`.
fn placeholder(item: &str) -> Option<usize> {
    item.strip_prefix('?')
        .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|d| d.parse().ok())
        .filter(|n| *n > 0)
}

/// An expression's pieces, its placeholders outside quotes typed; none if it has no placeholder,
/// or one without a number.
fn expression(item: &str) -> Option<Vec<Piece>> {
    let mut pieces = Vec::new();
    let (mut text, mut quote) = (String::new(), None);
    let mut chars = item.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == '?' => {
                let mut digits = String::new();
                while let Some(d) = chars.next_if(char::is_ascii_digit) {
                    digits.push(d);
                }
                pieces.push(Piece::Text(std::mem::take(&mut text)));
                pieces.push(Piece::Typed(placeholder(&format!("?{digits}"))?));
                continue;
            }
            None => {}
        }
        text.push(c);
    }
    pieces.push(Piece::Text(text));
    pieces.iter().any(|p| matches!(p, Piece::Typed(_))).then_some(pieces)
}

/// `row` with neighbouring texts joined and empty ones left out.
fn merged(row: Vec<Piece>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::with_capacity(row.len());
    for piece in row {
        match (out.last_mut(), piece) {
            (_, Piece::Text(t)) if t.is_empty() => {}
            (Some(Piece::Text(last)), Piece::Text(t)) => last.push_str(&t),
            (_, piece) => out.push(piece),
        }
    }
    out
}

#[cfg(test)]
#[path = "grouped_tests.rs"]
mod tests;
