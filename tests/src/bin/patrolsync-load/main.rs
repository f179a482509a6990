//! `patrolsync-load`: drives a patrolsync server over loopback HTTP with simulated devices and
//! prints push and pull throughput, round-trip latency, bytes on the wire per event, and the
//! server's peak memory, and each report's p50 and p99 on the store the push filled. docs/benchmarks.md gives the commands and the figures measured.

mod casework;
mod console;
mod counties;
mod phases;
mod reports;
mod storm;
mod threads;
mod wire;

use anyhow::{Context, Result};
use clap::Parser;

/// The bench shares the cores with the server: like the server, it allocates and frees large
/// buffers for every request, and mimalloc keeps them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser, Debug, Clone)]
#[command(about = "Load bench for the patrolsync sync server")]
pub struct Args {
    /// A running server started with --demo and PATROLSYNC_DEMO_PASSWORD; without it, the bench
    /// starts its own (the release binary beside this one) on a temporary store.
    #[arg(long)]
    pub url: Option<String>,
    /// The server's process id, to read its peak memory (with --url).
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// Demo password of the server given with --url.
    #[arg(long, default_value = patrolsync_tests::DEMO_PASSWORD)]
    pub password: String,
    /// Devices pushing their offline history.
    #[arg(long, default_value_t = 100)]
    pub devices: usize,
    /// Events in each device's offline history.
    #[arg(long, default_value_t = 1_000)]
    pub events_per_device: usize,
    /// Points per patrol track.
    #[arg(long, default_value_t = 20)]
    pub points: usize,
    /// One patrol in this many of each device's history has a finding on it, with a photo declared
    /// and never uploaded, and its township's inspector opens a case on it (0: none): the case
    /// and missing-evidence lists timed on tables of a county's size.
    #[arg(long, default_value_t = 200)]
    pub finding_every: usize,
    /// One patrol in this many of each device's history is walked outside its zone and raises a
    /// flag (0: none): the flag lists timed on a table of a county's size.
    #[arg(long, default_value_t = 100)]
    pub astray_every: usize,
    /// Devices syncing at once in the storm phase (0 to skip).
    #[arg(long, default_value_t = 2_000)]
    pub storm_devices: usize,
    /// Events each storm device pushes.
    #[arg(long, default_value_t = 5)]
    pub storm_events: usize,
    /// Times each report is asked after the push (0 to skip the reports phase).
    #[arg(long, default_value_t = 20)]
    pub reports: usize,
    /// Times each console page is loaded after the push (0 to skip the console phase); the map is
    /// also drawn in headless Chromium, when installed, up to 10 times.
    #[arg(long, default_value_t = 0)]
    pub console: usize,
    /// Patrols a week over all devices (0: each device patrols every 35 min, the densest history).
    /// With 100 devices of 1,000 events, 2,000 a week spreads the history over 50 weeks.
    #[arg(long, default_value_t = 0)]
    pub patrols_per_week: usize,
    /// Only ask the reports for this week (`2026-W25`) of the server given with --url, whose store
    /// an earlier run filled: to measure two builds' reports on one store, alternately.
    #[arg(long, requires = "url")]
    pub reports_of: Option<sync_protocol::values::IsoWeek>,
    /// Instead of the phases: three server processes on one PostgreSQL database (a throwaway
    /// cluster), phones pushing through them, and one process after another killed with SIGKILL
    /// this many times; prints the time from each kill to the next write a survivor stored.
    #[arg(long, default_value_t = 0)]
    pub failover: usize,
    /// Runs the phases against this many server processes on one PostgreSQL database (a
    /// throwaway cluster that syncs each commit to disk, as SQLite's store does), each device
    /// syncing with one of them in turn; 0: one server on a SQLite store.
    #[arg(long, default_value_t = 0, conflicts_with = "url")]
    pub postgres: usize,
    /// The counties of the demo deployment measured (`serve --demo --counties N`; the server the
    /// bench starts is started so): `--devices` devices push in each county, all counties at once,
    /// and each report is asked of the counties in turn, followed by the officials' roll-ups across
    /// them. A server given with --url must hold as many.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=99))]
    pub counties: u8,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(async move {
        if args.failover > 0 {
            return failover(args.failover).await;
        }
        const BUILD_FIRST: &str = "starting a server (build it with cargo build --release first)";
        let counties = counties::of(usize::from(args.counties));
        let demo_counties = args.counties.to_string();
        let env = [("PATROLSYNC_DEMO_COUNTIES", demo_counties.as_str())];
        // The servers measured, kept until the bench ends: a group on PostgreSQL or one of its own.
        let (mut group, mut own) = (None, None);
        let (urls, pids): (Vec<String>, Vec<u32>) = if let Some(url) = &args.url {
            (vec![url.clone()], args.server_pid.into_iter().collect())
        } else if args.postgres > 0 {
            let started = group.insert(tokio::task::block_in_place(|| {
                let db = patrolsync_tests::pg_cluster::Cluster::durable()?.database()?;
                patrolsync_tests::group::Group::start_on_with(db, args.postgres, &env).context(BUILD_FIRST)
            })?);
            (started.urls(), started.servers.iter().filter_map(|s| s.pid()).collect())
        } else {
            let started = own.insert(patrolsync_tests::server::TestServer::start_with(&env).context(BUILD_FIRST)?);
            (vec![started.url()], started.pid().into_iter().collect())
        };
        match args.reports_of {
            Some(week) => reports::run(&urls[0], &args.password, week, args.reports.max(1), &counties).await,
            None => phases::run(&args, &urls, &pids, &counties).await,
        }
    })
}

/// The failover figure: three processes on one PostgreSQL database, three phones pushing through
/// them, `kills` kills (`patrolsync_tests::group::kill_loop`).
async fn failover(kills: usize) -> Result<()> {
    let mut group = tokio::task::block_in_place(|| patrolsync_tests::group::Group::start(3))?;
    let phones = [("vo-t01-v01", "Z-T01-V01"), ("vo-t02-v01", "Z-T02-V01"), ("vo-t03-v02", "Z-T03-V02")];
    let failovers = patrolsync_tests::group::kill_loop(&mut group, &phones, kills).await?;
    let mut ms: Vec<u128> = failovers.takeovers.iter().map(|t| t.as_millis()).collect();
    ms.sort_unstable();
    println!(
        "failover over {kills} kills: median {} ms, worst {} ms, best {} ms; {} events acked",
        ms[ms.len() / 2],
        ms[ms.len() - 1],
        ms[0],
        failovers.acked.len()
    );
    Ok(())
}
