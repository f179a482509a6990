//! `patrolsync-server audit …`: the county's audits of a store, a SQLite file (`--db`) or the
//! store a config names (`--config`, PostgreSQL's too), read-only beside running servers but for
//! `checkpoint` and `read-model --rebuild` (the log's `checkpoint`, `consistency` and `verify` are
//! `tools::log`), each exiting 1 when it finds a problem.

use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;
use sync_protocol::wire::audit::ReadModelCheck;

use super::{NamedStore, fail};
use crate::store::offline::OfflineStore;
use crate::tools::log::{self, LogCommandError, store_error};

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
        AuditAction::Verify { store, checkpoint, json } => store.open().and_then(|store| log::verify(&store, checkpoint.as_deref(), json)),
        AuditAction::Integrity { store, json } => store.open().and_then(|store| integrity(&store, json)),
        AuditAction::ReadModel { store, rebuild, json } => store.open().and_then(|store| read_model(&store, rebuild, json)),
    };
    outcome.unwrap_or_else(|e| fail(&e))
}

fn integrity(store: &OfflineStore, json: bool) -> Result<ExitCode, LogCommandError> {
    let report = store.integrity().map_err(store_error(store))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
    } else {
        for b in &report.breaks {
            let event = b.event.map(|e| e.to_string()).unwrap_or_default();
            println!("device {} seq {} server_seq {} event {event}: {}", b.device, b.seq, b.server_seq, b.problem);
        }
        println!("{} events of {} devices checked, {} problems", report.events_checked, report.devices_checked, report.breaks.len());
    }
    Ok(if report.breaks.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn read_model(store: &OfflineStore, rebuild: bool, json: bool) -> Result<ExitCode, LogCommandError> {
    if rebuild {
        let applied = store.rebuild_read_model().map_err(store_error(store))?;
        eprintln!("read model rebuilt from {applied} events");
    }
    let report = store.read_model().map_err(store_error(store))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
    } else {
        report.examples.iter().for_each(|d| println!("differs: {d}"));
        let ReadModelCheck { events, patrols, findings, cases, tips, differences, .. } = &report;
        println!(
            "{events} events: {patrols} patrols, {findings} findings, {cases} cases, {tips} tips recomputed; {differences} differences"
        );
    }
    Ok(if report.differences == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
