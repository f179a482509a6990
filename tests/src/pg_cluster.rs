//! A throwaway PostgreSQL cluster for the tests: made and started once per test binary, on a Unix
//! socket in a temporary folder (no TCP port), with a database of its own for each test.
//!
//! - **Binaries**: `PATROLSYNC_PG_BIN` if set, else the newest `/usr/lib/postgresql/<N>/bin`
//!   (Debian's `postgresql` package, installed with PostGIS when missing: `crate::real_parts`), else
//!   `initdb` on the `PATH`. Without them every test that asks for a database fails, saying how
//!   to install PostgreSQL: the suite never skips an engine.
//! - **Privileges**: `initdb` and `postgres` refuse to run as root, so a root test process runs
//!   them as Debian's `postgres` user (`runuser`), in a folder given to that user.
//! - **Lifetime**: a guard process (`sh`) waits on a pipe from the test process. When the test
//!   process ends, however it ends (even killed), the pipe closes and the guard stops the cluster
//!   (`pg_ctl stop -m fast`) and removes its folder.
//! - **Stopped under a server**: a test that stops and starts PostgreSQL ([`Cluster::stop`],
//!   [`Cluster::start_again`]) does it on a cluster of its own ([`Cluster::own`]), which the other
//!   tests never see.
//! - **Speed over power-cut safety**: `fsync=off`. Killing the server or PostgreSQL still loses
//!   nothing (the WAL is written to the kernel at each commit); only a machine crash could, and a
//!   throwaway cluster does not outlive one. The load bench's cluster ([`Cluster::durable`]) keeps
//!   PostgreSQL's default `fsync=on`, as the SQLite store syncs each commit (`synchronous=FULL`).

use anyhow::{Context, Result, anyhow, bail};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

pub use patrolsync_server::store::postgres::off_runtime;

/// The running cluster: where its socket is, and the guard that stops it when the process ends.
pub struct Cluster {
    socket_dir: PathBuf,
    /// How it is started again after [`Cluster::stop`]: its `pg_ctl`, data folder and user.
    pg_ctl: PathBuf,
    data: PathBuf,
    runner: Runner,
    /// Whether PostgreSQL syncs its WAL to disk at each commit (`fsync`).
    fsync: bool,
    /// Held open for the life of the process; its closing is the guard's signal.
    _guard: Mutex<(Child, ChildStdin)>,
}

/// One test's database on the cluster, dropped (with its connections) when the test ends.
pub struct TestDb {
    pub name: String,
    url: String,
    cluster: &'static Cluster,
}

static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
static NEXT_DB: AtomicU32 = AtomicU32::new(0);

/// The test binary's cluster, started on first use. Fails when PostgreSQL cannot be started.
pub fn cluster() -> Result<&'static Cluster> {
    CLUSTER.get_or_init(|| Cluster::start().map_err(|e| format!("{e:#}"))).as_ref().map_err(|e| anyhow!("{e}"))
}

/// A new, empty database of its own for one test.
pub fn database() -> Result<TestDb> {
    cluster()?.database()
}

impl Cluster {
    fn start() -> Result<Cluster> {
        Cluster::start_syncing(false)
    }

    fn start_syncing(fsync: bool) -> Result<Cluster> {
        let bin = binaries()?;
        let dir = tempfile::Builder::new().prefix("patrolsync-pg-").tempdir().context("a folder for the cluster")?.keep();
        let runner = Runner::for_this_process(&dir)?;
        let data = dir.join("data");
        runner
            .run(
                Command::new(bin.join("initdb"))
                    .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync", "-D"])
                    .arg(&data),
            )
            .context("initdb")?;
        let pg_ctl = bin.join("pg_ctl");
        let guard = runner.guard(&pg_ctl, &data, &dir)?;
        let cluster = Cluster { socket_dir: dir, pg_ctl, data, runner, fsync, _guard: Mutex::new(guard) };
        cluster.start_again()?;
        Ok(cluster)
    }

    /// A cluster of the caller's own, not the test binary's: for a test that stops PostgreSQL
    /// under a server, which the other tests must not see. Stopped when the process ends.
    pub fn own() -> Result<&'static Cluster> {
        Ok(Box::leak(Box::new(Cluster::start()?)))
    }

    /// A cluster of the caller's own that syncs each commit to disk (`fsync=on`, PostgreSQL's
    /// default), as a deployment's does: for the load bench's figures beside SQLite's.
    pub fn durable() -> Result<&'static Cluster> {
        Ok(Box::leak(Box::new(Cluster::start_syncing(true)?)))
    }

    /// Stops PostgreSQL in `mode` (`fast`: its sessions are ended; `immediate`: it quits without
    /// a checkpoint, as a crash would, and recovers from its WAL when started again).
    pub fn stop(&self, mode: &str) -> Result<()> {
        self.runner
            .run(Command::new(&self.pg_ctl).args(["-w", "-t", "60", "-m", mode, "-D"]).arg(&self.data).arg("stop"))
            .context("pg_ctl stop")
    }

    /// Starts PostgreSQL on the cluster's data folder and socket, waiting until it accepts
    /// connections: first at [`Cluster::start`], again after [`Cluster::stop`].
    pub fn start_again(&self) -> Result<()> {
        let fsync = if self.fsync { "on" } else { "off" };
        let options = format!("-k {} -c listen_addresses='' -c fsync={fsync} -c max_connections=200", self.socket_dir.display());
        let log = self.socket_dir.join("postgres.log");
        let started = self.runner.run(
            Command::new(&self.pg_ctl).args(["-w", "-t", "60", "-D"]).arg(&self.data).arg("-l").arg(&log).args(["-o", &options, "start"]),
        );
        if let Err(e) = started {
            bail!("pg_ctl start: {e:#}\n{}", std::fs::read_to_string(&log).unwrap_or_default());
        }
        Ok(())
    }

    /// The connection string of database `name`, over the cluster's socket.
    pub fn url(&self, name: &str) -> String {
        format!("host={} user=postgres dbname={name}", self.socket_dir.display())
    }

    /// A connection to the cluster's administrative database.
    fn admin(&self) -> Result<postgres::Client> {
        Ok(postgres::Client::connect(&self.url("postgres"), postgres::NoTls)?)
    }

    /// Creates a new, empty database.
    pub fn database(&'static self) -> Result<TestDb> {
        self.create("")
    }

    /// Creates a new database as a copy of `template` (PostgreSQL copies its files: much faster
    /// than loading the rows again). No one may be connected to `template` meanwhile.
    pub fn copy_of(&'static self, template: &TestDb) -> Result<TestDb> {
        self.create(&format!(" TEMPLATE {}", template.name))
    }

    fn create(&'static self, options: &str) -> Result<TestDb> {
        let name = format!("test_{}_{}", std::process::id(), NEXT_DB.fetch_add(1, Ordering::Relaxed));
        off_runtime(|| self.admin()?.batch_execute(&format!("CREATE DATABASE {name}{options}")).map_err(anyhow::Error::from))?;
        Ok(TestDb { url: self.url(&name), name, cluster: self })
    }
}

impl TestDb {
    /// The connection string the store is opened with.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A connection of the test's own, to look under the store or to try what it must refuse.
    /// The driver's blocking client must not be used or dropped on an async worker: an async test
    /// uses it inside [`off_runtime`].
    pub fn connect(&self) -> Result<postgres::Client> {
        Ok(postgres::Client::connect(&self.url, postgres::NoTls)?)
    }

    /// Ends every connection to the database (a stopped store's that have not closed yet), so that
    /// it can be a template.
    pub fn disconnect_all(&self) -> Result<()> {
        off_runtime(|| {
            let mut admin = self.cluster.admin()?;
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", &[&self.name])?;
            Ok(())
        })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        off_runtime(|| {
            if let Ok(mut admin) = self.cluster.admin() {
                let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
            }
        });
    }
}

/// The folder of PostgreSQL's server binaries.
fn binaries() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("PATROLSYNC_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    // Installed from Debian's packages when missing, as root (`.ci/test-deps`); a machine with
    // PostgreSQL elsewhere, on the `PATH`, still runs the tests when that cannot be done.
    let installed = crate::real_parts::ensure(crate::real_parts::Part::Postgres);
    let debian = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(debian)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, bin)| bin.join("initdb").exists())
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    let on_path = std::env::var_os("PATH").map(|p| std::env::split_paths(&p).find(|d| d.join("initdb").exists())).unwrap_or_default();
    on_path.ok_or_else(|| match installed {
        Err(e) => anyhow!("PostgreSQL's server binaries were not found, nor installed ({e:#}); or set PATROLSYNC_PG_BIN"),
        Ok(()) => anyhow!("PostgreSQL's server binaries were not found: install Debian's `postgresql` package, or set PATROLSYNC_PG_BIN"),
    })
}

/// How the cluster's commands are run: as this process's user, or, for root, as `postgres`.
#[derive(Clone, Copy)]
enum Runner {
    Me,
    Postgres,
}

impl Runner {
    /// Decides how to run, and gives the cluster's folder to the user that will own it.
    fn for_this_process(dir: &Path) -> Result<Runner> {
        let uid = std::fs::metadata("/proc/self").context("reading who this process runs as")?.uid();
        if uid != 0 {
            return Ok(Runner::Me);
        }
        let id = |flag: &str| -> Result<u32> {
            let out = Command::new("id").args([flag, "postgres"]).output()?;
            if !out.status.success() {
                bail!("running as root, and there is no `postgres` user to run PostgreSQL as (Debian's `postgresql` package makes it)");
            }
            Ok(String::from_utf8_lossy(&out.stdout).trim().parse()?)
        };
        std::os::unix::fs::chown(dir, Some(id("-u")?), Some(id("-g")?)).context("giving the cluster's folder to postgres")?;
        Ok(Runner::Postgres)
    }

    /// `command` as the cluster's user.
    fn command(&self, command: &Command) -> Command {
        let mut out = match self {
            Runner::Me => Command::new(command.get_program()),
            Runner::Postgres => {
                let mut c = Command::new("runuser");
                c.args(["-u", "postgres", "--"]).arg(command.get_program());
                c
            }
        };
        out.args(command.get_args());
        out
    }

    /// Runs `command` to its end; its output becomes the error when it fails.
    fn run(&self, command: &mut Command) -> Result<()> {
        let out = self.command(command).stdin(Stdio::null()).output().context("starting a PostgreSQL command")?;
        if !out.status.success() {
            bail!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        }
        Ok(())
    }

    /// Starts the guard: it ignores the terminal's signals, waits until its standard input closes
    /// (when this process ends), then stops the cluster and removes its folder.
    fn guard(&self, pg_ctl: &Path, data: &Path, dir: &Path) -> Result<(Child, ChildStdin)> {
        let script = r#"trap '' INT TERM HUP; cat >/dev/null; "$0" -D "$1" -m fast -w stop >/dev/null 2>&1; rm -rf "$2""#;
        let mut sh = Command::new("sh");
        sh.args(["-c", script]).arg(pg_ctl).arg(data).arg(dir);
        let mut child =
            self.command(&sh).stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::null()).spawn().context("starting the guard")?;
        let stdin = child.stdin.take().ok_or_else(|| anyhow!("the guard has no standard input"))?;
        Ok((child, stdin))
    }
}
