//! `patrolsync-checkbench`: the ingest checks measured on a seeded corpus of labelled patrols and
//! findings (issue 13's labelled set). The corpus is sent through the real server as a county's
//! phones would send it, and the server's flags, quota decisions and ledger are scored against the
//! labels the generator planted: precision and recall per flag kind, quota agreement per
//! officer-week. Exits non-zero below the threshold. docs/checks.md gives the command, the cases
//! and the table.
//!
//! # Layout
//! - `frame`, `walks`, `shapes`, `copies`: a zone's plane and GPS error; paths and walkers; the
//!   walk of each case; copies of a walk.
//! - `cases`, `findings`: the planted cases and their labels (docs/checks.md's rules).
//! - `officers`, `schedule`, `licences`: who patrols, when, and the licence register with the
//!   county's own imports.
//! - `patrols`, `build`, `plan`, `intent`: placing the walks, assembling the plan of events,
//!   checking it against its intent.
//! - `push`, `answers`, `score`, `table`: sending, reading the answers, scoring, printing.

mod answers;
mod build;
mod cases;
mod copies;
mod findings;
mod frame;
mod intent;
mod licences;
mod officers;
mod patrols;
mod plan;
mod push;
mod schedule;
mod score;
mod shapes;
mod table;
mod walks;

use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Parser;
use patrolsync_tests::DEMO_PASSWORD;
use patrolsync_tests::server::TestServer;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser, Debug)]
#[command(about = "Precision and recall of the ingest checks on a seeded, labelled corpus sent through the real server")]
struct Args {
    /// Seed of the corpus.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Patrols to plant (every case at least once).
    #[arg(long, default_value_t = 520)]
    patrols: usize,
    /// Findings to plant (every case at least once).
    #[arg(long, default_value_t = 160)]
    findings: usize,
    /// Officers of the corpus (default: one per 6.5 patrols, at least 8).
    #[arg(long)]
    officers: Option<usize>,
    /// Least precision and recall of every flag kind for a pass.
    #[arg(long, default_value_t = 0.98)]
    threshold: f64,
    /// Print the run as JSON.
    #[arg(long)]
    json: bool,
    /// Print the planted cases and their labels, and exit.
    #[arg(long)]
    cases: bool,
}

fn main() -> Result<ExitCode> {
    let args = Args::parse();
    if args.cases {
        table::print_cases();
        return Ok(ExitCode::SUCCESS);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(run(args))
}

async fn run(args: Args) -> Result<ExitCode> {
    let spec = build::Spec { seed: args.seed, patrols: args.patrols, findings: args.findings, officers: args.officers };
    let t0 = Instant::now();
    let (plan, fortnight) = build::generate(&spec, patrolsync_tests::raw::now_ms() as i64)?;
    let weeks = plan.weeks(&fortnight);
    let t1 = Instant::now();
    let server = TestServer::start().context("starting the server (the e2e-server binary beside this one)")?;
    push::import_licences(&server, &plan)?;
    let t2 = Instant::now();
    let sent = push::send(&server.url(), DEMO_PASSWORD, &plan).await?;
    let t3 = Instant::now();
    let answers = answers::read(&server.url(), DEMO_PASSWORD, &weeks).await?;
    let t4 = Instant::now();
    let score = score::score(&plan, &sent.ids, &answers);
    let passed = score.passes(args.threshold);
    let seconds = table::Seconds::of([t1 - t0, t2 - t1, t3 - t2, t4 - t3]);
    let run = table::Run::new(args.seed, &plan, &weeks, score, seconds, sent.requests, passed);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&run)?);
    } else {
        run.print();
    }
    Ok(if passed { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
