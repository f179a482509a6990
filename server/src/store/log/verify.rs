//! `audit verify`, on either engine: the log re-derived from the rows and checked against every
//! signed checkpoint the store holds, and against one the auditor kept. Each problem is reported
//! where it is.

use std::collections::BTreeSet;
use sync_protocol::crypto::PublicKey;
use sync_protocol::merkle::SignedCheckpoint;

use super::verify_rows::{LeafPass, check_leaves, unlogged_rows};
use super::{Rows, log_key, stored_checkpoints};
use crate::store::StoreError;
use crate::store::audit::{LogProblem, LogReport};
use crate::store::sql::Sql;

/// Verifies the whole log; `kept` is a checkpoint the auditor exported earlier.
pub fn verify(conn: &dyn Sql, kept: Option<&SignedCheckpoint>) -> Result<LogReport, StoreError> {
    let key = log_key(conn)?;
    let mut checkpoints: Vec<(String, &SignedCheckpoint)> = Vec::new();
    let stored = stored_checkpoints(&mut Rows(conn))?;
    for c in &stored {
        checkpoints.push((format!("checkpoint {}", c.checkpoint.size), c));
    }
    if let Some(c) = kept {
        checkpoints.push((format!("checkpoint file {}", c.checkpoint.size), c));
    }
    let sizes: BTreeSet<u64> = checkpoints.iter().map(|(_, c)| c.checkpoint.size).collect();
    let pass = check_leaves(conn, &sizes)?;
    let mut problems = pass.problems.clone();
    problems.extend(unlogged_rows(conn)?);
    if key.is_none() && !checkpoints.is_empty() {
        problems.push(LogProblem { leaf: None, at: "server".into(), problem: "the store has no server key to check signatures".into() });
    }
    for (at, c) in &checkpoints {
        for problem in checkpoint_problems(c, key.as_ref(), &pass) {
            problems.push(LogProblem { leaf: None, at: at.clone(), problem });
        }
    }
    Ok(LogReport {
        origin: key.map(|(origin, _)| origin),
        leaves: pass.frontier.size(),
        root: pass.frontier.root(),
        checkpoints_checked: checkpoints.len() as u64,
        problems,
    })
}

/// What is wrong with one checkpoint against the log as stored.
fn checkpoint_problems(c: &SignedCheckpoint, key: Option<&(String, PublicKey)>, pass: &LeafPass) -> Vec<String> {
    let mut out = Vec::new();
    let cp = &c.checkpoint;
    if let Some((origin, key)) = key {
        if cp.origin != *origin {
            out.push(format!("it is a checkpoint of another log, {}", cp.origin));
        }
        if let Err(e) = c.verify(key) {
            out.push(e.to_string());
        }
    }
    match pass.roots.get(&cp.size) {
        _ if cp.size > pass.frontier.size() => out.push(format!(
            "the log holds {} leaves, fewer than the {} this checkpoint signed: it was truncated",
            pass.frontier.size(),
            cp.size
        )),
        Some(root) if *root == cp.root => {}
        _ => out.push(format!("the log's first {} leaves do not have this checkpoint's root: the log was changed", cp.size)),
    }
    out
}
