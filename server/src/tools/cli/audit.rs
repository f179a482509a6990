//! `patrolsync-server audit …`: the county's audits of a store, a SQLite file (`--db`) or the
//! store a config names (`--config`, PostgreSQL's too), read-only beside running servers but for
//! `checkpoint` and `read-model --rebuild` (the log's `checkpoint`, `consistency` and `verify` are
//! `tools::log`), each exiting 1 when it finds a problem. `integrity`, `verify` and `read-model`
//! with `--config` alone audit every county of the deployment, each under its code.

use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;
use sync_protocol::wire::audit::ReadModelCheck;

use super::{NamedStore, fail};
use crate::store::offline::OfflineStore;
use crate::tools::log::{self, Audited, LogCommandError, store_error};

#[derive(Subcommand)]
pub(super) enum AuditAction {
    /// Re-hash every stored event, check its signature, walk every device's chain; report each
    /// break with its device, seq and server sequence (exit code 1 when any is found). Read-only,
    /// one snapshot of the store.
    Integrity {
        #[command(flatten)]
        store: NamedStore,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Sign a checkpoint (size, root) of the tamper-evident log at its current size, store it, and
    /// print it as a signed note: the file to keep and give back to `audit verify --checkpoint`.
    Checkpoint {
        #[command(flatten)]
        store: NamedStore,
        /// Print the checkpoint as JSON, as `GET /v1/audit/checkpoint` answers.
        #[arg(long)]
        json: bool,
    },
    /// Print (as JSON) the proof that the log's first FROM leaves are a prefix of its first TO.
    Consistency {
        #[command(flatten)]
        store: NamedStore,
        #[arg(long)]
        from: u64,
        #[arg(long)]
        to: u64,
    },
    /// Re-derive every leaf of the log from its row, find rows missing from the log, and check the
    /// log against every stored checkpoint and a kept one; report each problem where it is (exit
    /// code 1 when any is found). Read-only, one snapshot of the store.
    Verify {
        #[command(flatten)]
        store: NamedStore,
        /// A checkpoint note exported earlier (`audit checkpoint`), to check the log against.
        #[arg(long)]
        checkpoint: Option<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Recompute the reports' read model from the log, group by group, and compare it with the
    /// stored rows; report each difference (exit code 1 when any is found). Read-only, one
    /// snapshot of the store, unless --rebuild.
    ReadModel {
        #[command(flatten)]
        store: NamedStore,
        /// First rebuild the stored read model from the log, in one write transaction that the
        /// serving writers wait for.
        #[arg(long)]
        rebuild: bool,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub(super) fn run(action: AuditAction) -> ExitCode {
    let outcome = match action {
        AuditAction::Checkpoint { store, json } => store.open().and_then(|store| log::checkpoint(&store, json)),
        AuditAction::Consistency { store, from, to } => store.open().and_then(|store| log::consistency(&store, from, to)),
        // A kept checkpoint is one county's: with one, the store must be one county's.
        AuditAction::Verify { store, checkpoint, json } => {
            let each = checkpoint.is_none();
            audit_each(store, json, each, |store| log::verify(store, checkpoint.as_deref()))
        }
        AuditAction::Integrity { store, json } => audit_each(store, json, true, integrity),
        AuditAction::ReadModel { store, rebuild, json } => audit_each(store, json, true, |store| read_model(store, rebuild)),
    };
    outcome.unwrap_or_else(|e| fail(&e))
}

/// Runs `audit` on the store `named` names and prints what it found. With `--config` alone, on a
/// deployment of several counties, and `each`: on each county's store in turn, printed under its code (as
/// JSON, `{"counties": [{"county", "passed", "report" or "error"}]}`), a county whose store
/// cannot be audited counted as failed and the others audited still; it fails when any county
/// fails.
fn audit_each(
    named: NamedStore,
    json: bool,
    each: bool,
    audit: impl Fn(&OfflineStore) -> Result<Audited, LogCommandError>,
) -> Result<ExitCode, LogCommandError> {
    let counties = match (&named.db, &named.config, &named.county) {
        (None, Some(config), None) if each => log::county_stores(config)?,
        _ => Vec::new(),
    };
    if counties.len() <= 1 {
        let audited = audit(&named.open()?)?;
        match json {
            true => println!("{}", audited.report),
            false => audited.lines.iter().for_each(|line| println!("{line}")),
        }
        return Ok(exit_code(audited.passed));
    }
    let mut failed = Vec::new();
    let mut reports = Vec::new();
    for (county, store) in counties {
        let outcome = audit(&store);
        let passed = outcome.as_ref().is_ok_and(|a| a.passed);
        if !passed {
            failed.push(county.clone());
        }
        match outcome {
            Ok(audited) if json => reports.push(serde_json::json!({"county": county, "passed": passed, "report": audited.report})),
            Err(e) if json => reports.push(serde_json::json!({"county": county, "passed": false, "error": chain(&e)})),
            Ok(audited) => {
                println!("== county {county}");
                audited.lines.iter().for_each(|line| println!("{line}"));
            }
            Err(e) => println!("== county {county}\nerror: {}", chain(&e)),
        }
    }
    match json {
        true => println!("{}", serde_json::to_string_pretty(&serde_json::json!({"counties": reports})).unwrap_or_default()),
        false if failed.is_empty() => println!("every county passed"),
        false => println!("counties that failed: {}", failed.join(", ")),
    }
    Ok(exit_code(failed.is_empty()))
}

/// An error with its causes, on one line.
fn chain(error: &dyn std::error::Error) -> String {
    std::iter::successors(Some(error), |e| e.source()).map(ToString::to_string).collect::<Vec<_>>().join(": ")
}

fn exit_code(passed: bool) -> ExitCode {
    if passed { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

fn integrity(store: &OfflineStore) -> Result<Audited, LogCommandError> {
    let report = store.integrity().map_err(store_error(store))?;
    let mut lines: Vec<String> = report
        .breaks
        .iter()
        .map(|b| {
            let event = b.event.map(|e| e.to_string()).unwrap_or_default();
            format!("device {} seq {} server_seq {} event {event}: {}", b.device, b.seq, b.server_seq, b.problem)
        })
        .collect();
    lines.push(format!("{} events of {} devices checked, {} problems", report.events_checked, report.devices_checked, report.breaks.len()));
    Audited::new(&report, lines, report.breaks.is_empty())
}

fn read_model(store: &OfflineStore, rebuild: bool) -> Result<Audited, LogCommandError> {
    if rebuild {
        let applied = store.rebuild_read_model().map_err(store_error(store))?;
        eprintln!("read model rebuilt from {applied} events");
    }
    let report = store.read_model().map_err(store_error(store))?;
    let mut lines: Vec<String> = report.examples.iter().map(|d| format!("differs: {d}")).collect();
    let ReadModelCheck { events, patrols, findings, cases, tips, differences, .. } = &report;
    lines.push(format!(
        "{events} events: {patrols} patrols, {findings} findings, {cases} cases, {tips} tips recomputed; {differences} differences"
    ));
    Audited::new(&report, lines, report.differences == 0)
}
