//! `patrolsync-phonebench`: a county auditor's new phone, first sync. Fills a real server's store
//! with patrols pushed by many officers' devices at once (the load bench's generators), then, at
//! each size asked for, times a new phone pulling everything through the real client library
//! over loopback HTTP, next to the bare pull of the same events; then prints the verdict of a
//! patrol of that full replica, and on the phone of the first officer (a new phone that has
//! synced its village) records a patrol and prints its verdict, as `patrol-device` does (open the
//! file, record, open it again, check). docs/benchmarks.md has figures.

use anyhow::{Context, Result, ensure};
use clap::Parser;
use std::path::Path;
use std::time::Instant;

use patrolsync_client::replica::{NewPatrol, Replica};

/// The phone's allocator, as `patrol-device` sets it: this process is the phone.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use patrolsync_client::sync;
use patrolsync_tests::fill;
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::server::TestServer;
use patrolsync_tests::tracks;
use sync_protocol::body::Body;
use sync_protocol::ids::{EventId, ZoneId};

#[derive(Parser, Debug)]
#[command(about = "A county auditor's phone: first sync of 10k, 30k and 100k events")]
struct Args {
    /// Patrol events in the store at each measurement, ascending.
    #[arg(long, value_delimiter = ',', default_value = "10000,30000,100000")]
    sizes: Vec<usize>,
    /// Officers' devices pushing the patrols.
    #[arg(long, default_value_t = 100)]
    devices: usize,
    /// Points per patrol track.
    #[arg(long, default_value_t = 20)]
    points: usize,
    /// The county auditor whose new phone syncs.
    #[arg(long, default_value = "ca-1")]
    auditor: String,
    /// Keep the phones' replica files in this folder (default: a temporary one, removed after).
    #[arg(long)]
    replicas: Option<std::path::PathBuf>,
}

fn main() -> Result<()> {
    let args = Args::parse();
    ensure!(args.sizes.windows(2).all(|w| w[0] < w[1]), "--sizes must be ascending");
    ensure!(args.devices > 0, "--devices must be at least 1");
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(run(&args))
}

async fn run(args: &Args) -> Result<()> {
    let server = TestServer::start().context("starting a server (build it with cargo build --release first)")?;
    let url = server.url();
    let password = patrolsync_tests::DEMO_PASSWORD;
    println!("patrolsync-phonebench against {url}: {} devices push patrols of {} points", args.devices, args.points);
    let mut devices = fill::officers(&url, password, args.devices, 300).await?;
    let temporary = tempfile::tempdir()?;
    let phones = args.replicas.clone().unwrap_or_else(|| temporary.path().to_path_buf());
    std::fs::create_dir_all(&phones)?;
    let mut stored = 0;
    for (i, &size) in args.sizes.iter().enumerate() {
        let per_device = size.saturating_sub(stored).div_ceil(args.devices);
        let started = Instant::now();
        stored += fill::push_histories(&mut devices, per_device, args.points).await?;
        println!("filled: {stored} patrol events in the store (+{per_device} per device in {:.1} s)", started.elapsed().as_secs_f64());
        let bare = bare_pull(&url, &args.auditor).await?;
        let path = phones.join(format!("auditor-{i}.db"));
        let mut replica = Replica::open(&path)?;
        sync::login(&mut replica, &url, &args.auditor, password).await?;
        let (phone_cpu, server_cpu) = (cpu_seconds(None), cpu_seconds(server.pid()));
        let started = Instant::now();
        let report = sync::sync(&mut replica).await?;
        let took = started.elapsed().as_secs_f64();
        let (phone_cpu, server_cpu) = (cpu_seconds(None) - phone_cpu, cpu_seconds(server.pid()) - server_cpu);
        let projection = replica.projection()?;
        let (patrols, newest) = (projection.patrols.len(), projection.patrols.keys().max().copied());
        ensure!(patrols == stored, "the phone's ledger holds {patrols} patrols, the store {stored}");
        println!(
            "first sync: {} events in {took:.2} s = {:.0} events/s ({} rounds; CPU: phone {phone_cpu:.2} s, server {server_cpu:.2} s); \
             the bare pull of the same: {:.2} s = {:.0} events/s",
            report.pulled,
            report.pulled as f64 / took,
            report.rounds,
            bare.1,
            bare.0 as f64 / bare.1,
        );
        drop(replica);
        check(&path, newest.context("the store holds patrols")?, "the newest patrol on the auditor's phone")?;
        // Patrols are recorded by a village officer, on a phone that holds the officer's village.
        let officer = phones.join(format!("officer-{i}.db"));
        let mut replica = Replica::open(&officer)?;
        sync::login(&mut replica, &url, devices[0].raw.user.as_str(), password).await?;
        sync::sync(&mut replica).await?;
        drop(replica);
        record_and_check(&officer, &devices[0].zone, args.points)?;
    }
    Ok(())
}

/// Prints the verdict of `patrol` on the replica at `path`, opening the file as `patrol-device
/// check-patrol` does, with the time it took.
fn check(path: &Path, patrol: EventId, what: &str) -> Result<()> {
    let started = Instant::now();
    let replica = Replica::open(path)?;
    let verdict = serde_json::to_string(&replica.check_patrol(patrol)?)?;
    println!(
        "print the verdict of {what}: {:.1} ms ({} bytes; on a replica of {} events)",
        started.elapsed().as_secs_f64() * 1e3,
        verdict.len(),
        replica.event_count()?,
    );
    Ok(())
}

/// Records a patrol in `zone` on the replica at `path` (a village officer's) and prints its
/// verdict, each step opening the file as a `patrol-device` command does; prints the time each took.
fn record_and_check(path: &Path, zone: &ZoneId, points: usize) -> Result<()> {
    let Body::PatrolRecorded(p) = tracks::patrol_every(zone, now_ms() as i64, points, u64::MAX, 60_000) else {
        anyhow::bail!("tracks::patrol_every made no patrol");
    };
    let started = Instant::now();
    let mut replica = Replica::open(path)?;
    let new = NewPatrol { track: p.track, zone: Some(zone.clone()), summary: "bench".into(), ..NewPatrol::default() };
    let id = replica.record_patrol(new)?;
    drop(replica);
    let recorded = started.elapsed().as_secs_f64();
    println!("record a patrol on the officer's phone: {:.1} ms", recorded * 1e3);
    check(path, id, "it")
}

/// A raw device of `user` pulls its whole scope; returns the events pulled and the seconds taken.
async fn bare_pull(url: &str, user: &str) -> Result<(usize, f64)> {
    let mut raw = RawDevice::new(url, user)?;
    raw.login(patrolsync_tests::DEMO_PASSWORD).await?;
    let started = Instant::now();
    let events = raw.pull_all().await?;
    Ok((events.len(), started.elapsed().as_secs_f64()))
}

/// CPU time (user and system) used so far by process `pid`, or by this one, in seconds; 0 where
/// `/proc` cannot tell. Linux counts it in ticks of 1/100 s (`USER_HZ`).
fn cpu_seconds(pid: Option<u32>) -> f64 {
    let path = pid.map_or_else(|| "/proc/self/stat".to_owned(), |p| format!("/proc/{p}/stat"));
    let Ok(stat) = std::fs::read_to_string(path) else { return 0.0 };
    // The fields after the command name (which may hold spaces) start after its closing parenthesis.
    let fields: Vec<&str> = stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
    (ticks(11) + ticks(12)) as f64 / 100.0
}
