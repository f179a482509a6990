//! Walking the matrix: every row in file order, every principal's cell, the answer compared with
//! the cell (status, note, the exact set of objects revealed) and, for a plain `404` on an op that
//! names its `missing` datum, with the answer for that datum, which does not exist. Every mismatch
//! is collected, so one run shows them all.
//!
//! The rows that write (pushes, logins, refreshes, every request but `GET` and `HEAD`) run one cell
//! after another, in file order; the cells of a run of rows that only read between two writes are
//! sent [`AT_ONCE`] at a time: each sees the state the writes before it left, as in file order.

use anyhow::Result;
use futures_util::{StreamExt, TryStreamExt};

use super::call::{self, Answer};
use super::cell::Expect;
use super::setup::World;
use super::spec::{CheckedRow, Matrix, Op};

/// How many read-only cells are in flight at once.
pub const AT_ONCE: usize = 8;

/// What a run checked and what did not match.
#[derive(Debug, Default)]
pub struct Outcome {
    pub cells: usize,
    pub rows: usize,
    pub failures: Vec<String>,
}

/// One cell to call: its row (numbered from 1), the principal, what it expects, and its serial
/// number in file order (which a push's body uses).
struct Cell<'a> {
    n: usize,
    row: &'a CheckedRow,
    op: &'a Op,
    who: &'a str,
    expect: &'a Expect,
    serial: u64,
}

/// A cell's answer, and for a plain `404` on an op with a `missing` datum, that datum's answer.
struct Called {
    answer: Answer,
    reference: Option<(String, Answer)>,
}

fn excerpt(text: &str) -> String {
    let short: String = text.chars().take(300).collect();
    if short.len() < text.len() { format!("{short}…") } else { short }
}

/// The datum whose answer a cell's must equal: the op's `missing`, for a plain `404` cell.
fn missing<'a>(op: &'a Op, expect: &Expect) -> Option<&'a str> {
    op.missing.as_deref().filter(|_| expect.status == 404 && expect.note.is_none())
}

/// What differs between the cell and what it was answered.
fn problems(world: &World, cell: &Cell<'_>, called: &Called) -> Vec<String> {
    let (expect, answer) = (cell.expect, &called.answer);
    let mut out = Vec::new();
    if answer.status != expect.status {
        out.push(format!("status {} (body {})", answer.status, excerpt(&answer.text)));
    }
    if answer.note != expect.note {
        out.push(format!("note {:?}", answer.note));
    }
    if let Some(ids) = &expect.ids {
        let seen = world.revealed(&answer.text);
        let extra: Vec<&String> = seen.difference(ids).collect();
        let absent: Vec<&String> = ids.difference(&seen).collect();
        if !extra.is_empty() {
            out.push(format!("reveals {extra:?} it must not"));
        }
        if !absent.is_empty() {
            out.push(format!("does not show {absent:?}"));
        }
    }
    if let Some((missing, reference)) = &called.reference
        && reference != answer
    {
        out.push(format!("answers unlike a missing one ({missing}: {} {})", reference.status, excerpt(&reference.text)));
    }
    let (n, row, who) = (cell.n, cell.row, cell.who);
    out.into_iter().map(|p| format!("row {n} {} [{}] as {who}: expected {expect}, got {p}", row.op, row.data)).collect()
}

/// Calls a cell that may write, alone.
async fn perform(world: &mut World, matrix: &Matrix, cell: &Cell<'_>) -> Result<Vec<String>> {
    let answer = call::perform(world, matrix, cell.op, &cell.row.data, cell.who, cell.serial).await?;
    let reference = match missing(cell.op, cell.expect) {
        Some(datum) => Some((datum.to_owned(), call::perform(world, matrix, cell.op, datum, cell.who, cell.serial).await?)),
        None => None,
    };
    Ok(problems(world, cell, &Called { answer, reference }))
}

/// Calls a cell that only reads, beside others.
async fn send(world: &World, matrix: &Matrix, cell: &Cell<'_>) -> Result<Vec<String>> {
    let answer = call::send(world, matrix, cell.op, &cell.row.data, cell.who).await?;
    let reference = match missing(cell.op, cell.expect) {
        Some(datum) => Some((datum.to_owned(), call::send(world, matrix, cell.op, datum, cell.who).await?)),
        None => None,
    };
    Ok(problems(world, cell, &Called { answer, reference }))
}

pub async fn run(world: &mut World, matrix: &Matrix, rows: &[CheckedRow]) -> Result<Outcome> {
    let mut outcome = Outcome { rows: rows.len(), ..Outcome::default() };
    let mut cells = Vec::new();
    for (n, row) in (1..).zip(rows) {
        let op = &matrix.ops[&row.op];
        for (who, expect) in &row.cells {
            cells.push(Cell { n, row, op, who, expect, serial: cells.len() as u64 + 1 });
        }
    }
    let mut rest = cells.as_slice();
    while let Some(first) = rest.first() {
        let reads = if call::reads_only(first.op) { rest.iter().take_while(|c| call::reads_only(c.op)).count() } else { 0 };
        if reads == 0 {
            outcome.failures.extend(perform(world, matrix, first).await?);
            outcome.cells += 1;
            rest = &rest[1..];
            continue;
        }
        let world: &World = world;
        let found: Vec<Vec<String>> =
            futures_util::stream::iter(&rest[..reads]).map(|cell| send(world, matrix, cell)).buffered(AT_ONCE).try_collect().await?;
        outcome.failures.extend(found.into_iter().flatten());
        outcome.cells += reads;
        rest = &rest[reads..];
    }
    Ok(outcome)
}
