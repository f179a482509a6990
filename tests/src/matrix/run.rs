//! Walking the matrix: every row in file order, every principal's cell, the answer compared with
//! the cell (status, note, the exact set of objects revealed) and, for a plain `404` on an op that
//! names its `missing` datum, with the answer for that datum, which does not exist. Every mismatch
//! is collected, so one run shows them all.

use anyhow::Result;

use super::call::{self, Answer};
use super::cell::Expect;
use super::setup::World;
use super::spec::{CheckedRow, Matrix};

/// What a run checked and what did not match.
#[derive(Debug, Default)]
pub struct Outcome {
    pub cells: usize,
    pub rows: usize,
    pub failures: Vec<String>,
}

fn excerpt(text: &str) -> String {
    let short: String = text.chars().take(300).collect();
    if short.len() < text.len() { format!("{short}…") } else { short }
}

/// What differs between the cell and the answer.
fn compare(world: &World, expect: &Expect, answer: &Answer) -> Vec<String> {
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
    out
}

pub async fn run(world: &mut World, matrix: &Matrix, rows: &[CheckedRow]) -> Result<Outcome> {
    let mut outcome = Outcome { rows: rows.len(), ..Outcome::default() };
    let mut serial = 0;
    for (n, row) in rows.iter().enumerate() {
        let op = &matrix.ops[&row.op];
        for (who, expect) in &row.cells {
            serial += 1;
            let answer = call::perform(world, matrix, op, &row.data, who, serial).await?;
            outcome.cells += 1;
            let mut problems = compare(world, expect, &answer);
            if let Some(missing) = op.missing.as_deref().filter(|_| expect.status == 404 && expect.note.is_none()) {
                let reference = call::perform(world, matrix, op, missing, who, serial).await?;
                if reference != answer {
                    problems.push(format!("answers unlike a missing one ({missing}: {} {})", reference.status, excerpt(&reference.text)));
                }
            }
            for p in problems {
                outcome.failures.push(format!("row {} {} [{}] as {who}: expected {expect}, got {p}", n + 1, row.op, row.data));
            }
        }
    }
    Ok(outcome)
}
