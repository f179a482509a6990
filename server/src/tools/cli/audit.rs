//! `patrolsync-server audit …`: the county's audits of a store file (`verify` also of the store a
//! config names, PostgreSQL's too), read-only beside a running server (the log's `checkpoint`,
//! `consistency` and `verify` are `tools::log`), each exiting 1 when it finds a problem.

use clap::Subcommand;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use sync_protocol::wire::audit::ReadModelCheck;

use super::fail;
use crate::store::sqlite::ReadOnly;
use crate::tools::log;

#[derive(Subcommand)]
pub(super) enum AuditAction {
    /// Re-hash every stored event, check its signature, walk every device's chain; report each
    /// break with its device, seq and server sequence (exit code 1 when any is found).
    Integrity {
        /// The store's SQLite file (opened read-only).
        #[arg(long)]
        db: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Sign a checkpoint (size, root) of the tamper-evident log at its current size, store it, and
    /// print it as a signed note: the file to keep and give back to `audit verify --checkpoint`.
    Checkpoint {
        /// The store's SQLite file.
        #[arg(long)]
        db: PathBuf,
        /// Print the checkpoint as JSON, as `GET /v1/audit/checkpoint` answers.
        #[arg(long)]
        json: bool,
    },
    /// Print (as JSON) the proof that the log's first FROM leaves are a prefix of its first TO.
    Consistency {
        /// The store's SQLite file (opened read-only).
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        from: u64,
        #[arg(long)]
        to: u64,
    },
    /// Re-derive every leaf of the log from its row, find rows missing from the log, and check the
    /// log against every stored checkpoint and a kept one; report each problem where it is (exit
    /// code 1 when any is found).
    Verify {
        /// The store's SQLite file (opened read-only).
        #[arg(long, required_unless_present = "config", conflicts_with = "config")]
        db: Option<PathBuf>,
        /// The server's TOML config file: its store (`[store] kind = "postgres"` and `url`, read
        /// in one read-only transaction; or `db`), as `serve --config` opens it.
        #[arg(long)]
        config: Option<PathBuf>,
        /// With --config: the county whose store to verify (a deployment of several counties:
        /// its file, or on PostgreSQL its schema).
        #[arg(long, requires = "config")]
        county: Option<String>,
        /// A checkpoint note exported earlier (`audit checkpoint`), to check the log against.
        #[arg(long)]
        checkpoint: Option<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Recompute the reports' read model from the log, group by group, and compare it with the
    /// stored rows; report each difference (exit code 1 when any is found).
    ReadModel {
        /// The store's SQLite file (opened read-only, unless --rebuild).
        #[arg(long)]
        db: PathBuf,
        /// First rebuild the stored read model from the log (one write transaction).
        #[arg(long)]
        rebuild: bool,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub(super) fn run(action: AuditAction) -> ExitCode {
    let outcome = match action {
        AuditAction::Checkpoint { db, json } => log::checkpoint(&db, json),
        AuditAction::Consistency { db, from, to } => log::consistency(&db, from, to),
        AuditAction::Verify { db, config, county, checkpoint, json } => {
            log::LogStore::of(db, config.as_deref(), county.as_deref()).and_then(|store| log::verify(&store, checkpoint.as_deref(), json))
        }
        AuditAction::Integrity { db, json } => Ok(integrity(&db, json)),
        AuditAction::ReadModel { db, rebuild, json } => Ok(read_model(&db, rebuild, json)),
    };
    outcome.unwrap_or_else(|e| fail(&e))
}

fn integrity(db: &Path, json: bool) -> ExitCode {
    let report = match ReadOnly::open(db).and_then(|store| store.integrity()) {
        Ok(report) => report,
        Err(e) => return fail(&e),
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
    } else {
        for b in &report.breaks {
            let event = b.event.map(|e| e.to_string()).unwrap_or_default();
            println!("device {} seq {} server_seq {} event {event}: {}", b.device, b.seq, b.server_seq, b.problem);
        }
        println!("{} events of {} devices checked, {} problems", report.events_checked, report.devices_checked, report.breaks.len());
    }
    if report.breaks.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

fn read_model(db: &Path, rebuild: bool, json: bool) -> ExitCode {
    if rebuild {
        match crate::store::sqlite::rebuild_read_model(db) {
            Ok(n) => eprintln!("read model rebuilt from {n} events"),
            Err(e) => return fail(&e),
        }
    }
    let report = match ReadOnly::open(db).and_then(|store| store.read_model()) {
        Ok(report) => report,
        Err(e) => return fail(&e),
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
    } else {
        report.examples.iter().for_each(|d| println!("differs: {d}"));
        let ReadModelCheck { events, patrols, findings, cases, tips, differences, .. } = &report;
        println!(
            "{events} events: {patrols} patrols, {findings} findings, {cases} cases, {tips} tips recomputed; {differences} differences"
        );
    }
    if report.differences == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
