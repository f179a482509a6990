//! A crash during a store's first load leaves a store that works: `serve --demo` loads the demo
//! county (units, zones, licences, people and their password) in one transaction, so a SIGKILL at
//! any moment leaves either no county, which the next start loads again, or all of it. The test
//! watches the store from another connection while the server loads it, and kills the server at
//! the two moments that matter: while the load is being written, and right after the first unit
//! became visible (when a load committed in two steps had units and people without passwords).

use anyhow::{Context, Result};
use patrolsync_tests::server::{TestServer, server_binary};
use patrolsync_tests::{DEMO_PASSWORD, raw::RawDevice};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// When to kill the loading server.
#[derive(Debug, Clone, Copy)]
enum Moment {
    /// The write-ahead log has grown past this many bytes and no unit is visible yet: the load's
    /// transaction is being written.
    Writing(u64),
    /// The first unit is visible to another connection: the load has committed (some of it, if it
    /// were split).
    Committed,
}

/// What another connection sees of the store: units, and people without a password.
fn seen(db: &Path) -> Option<(i64, i64)> {
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).ok()?;
    conn.query_row(
        "SELECT (SELECT count(*) FROM units), (SELECT count(*) FROM users WHERE id <> 'system' AND password_hash = '')",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .ok()
}

/// `serve --demo` on `dir`'s store, on a free port, with the tests' demo password.
fn serve_demo(dir: &Path) -> Command {
    let mut command = Command::new(server_binary());
    command
        .args(["serve", "--demo", "--bind", "127.0.0.1:0", "--db"])
        .arg(dir.join("central.db"))
        .env("PATROLSYNC_DEMO_PASSWORD", DEMO_PASSWORD)
        .env("RUST_LOG", "error")
        .stderr(Stdio::null());
    command
}

fn start_loading(dir: &Path) -> Result<Child> {
    serve_demo(dir).stdout(Stdio::null()).spawn().context("starting the server")
}

/// Starts a server on an empty store, kills it with SIGKILL at `moment`, and returns every state
/// another connection saw meanwhile that had units and people without a password.
fn kill_during_load(dir: &Path, moment: Moment) -> Result<Vec<(i64, i64)>> {
    let (db, wal) = (dir.join("central.db"), dir.join("central.db-wal"));
    let mut child = start_loading(dir)?;
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut broken = Vec::new();
    loop {
        anyhow::ensure!(Instant::now() < deadline, "the load never reached {moment:?}");
        anyhow::ensure!(child.try_wait()?.is_none(), "the server stopped by itself");
        let state = seen(&db);
        if let Some((units, passwordless)) = state
            && units > 0
            && passwordless > 0
        {
            broken.push((units, passwordless));
        }
        let units = state.map_or(0, |s| s.0);
        let wal_bytes = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        let now = match moment {
            Moment::Writing(bytes) => units == 0 && wal_bytes > bytes,
            Moment::Committed => units > 0,
        };
        if now {
            child.kill()?;
            child.wait()?;
            break;
        }
        if matches!(moment, Moment::Writing(_)) && units > 0 {
            // The load committed before the log grew that far: kill it anyway, the rest holds.
            child.kill()?;
            child.wait()?;
            break;
        }
    }
    // What the kill left, seen once more with the process gone.
    if let Some((units, passwordless)) = seen(&db)
        && units > 0
        && passwordless > 0
    {
        broken.push((units, passwordless));
    }
    Ok(broken)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_kill_during_the_first_demo_load_leaves_a_store_that_loads_or_is_loaded() -> Result<()> {
    for moment in [Moment::Writing(64 * 1024), Moment::Writing(1024 * 1024), Moment::Committed, Moment::Committed] {
        let dir = tempfile::tempdir()?;
        let broken = kill_during_load(dir.path(), moment)?;
        assert!(broken.is_empty(), "{moment:?}: the store held units and people without a password: {broken:?}");
        // The next start loads the county (or finds it loaded), and every demo user can log in.
        let server = TestServer::start_in(dir, &[])?;
        for user in ["vo-t01-v01", "ti-t01-1", "ca-1", "admin"] {
            let mut phone = RawDevice::new(&server.url(), user)?;
            phone.login(DEMO_PASSWORD).await.with_context(|| format!("{moment:?}: {user} logs in after the restart"))?;
        }
        let (units, passwordless) = seen(&server.db()).context("the store reads")?;
        assert_eq!(passwordless, 0, "{moment:?}");
        assert!(units > 100, "{moment:?}: the whole county is there ({units} units)");
    }
    Ok(())
}

/// What `serve --demo` prints on `dir`'s store before "ready" (then it is stopped).
fn demo_start_lines(dir: &Path) -> Result<Vec<String>> {
    use std::io::BufRead as _;
    let mut child = serve_demo(dir).stdout(Stdio::piped()).spawn().context("starting the server")?;
    let stdout = child.stdout.take().context("stdout")?;
    let mut lines = Vec::new();
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line?;
        if line == "ready" {
            break;
        }
        lines.push(line);
    }
    child.kill()?;
    child.wait()?;
    Ok(lines)
}

/// The first start says it loaded the demo county; a second, which loads nothing, says so.
#[test]
fn a_second_demo_start_says_it_loaded_nothing() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let first = demo_start_lines(dir.path())?;
    assert!(first.iter().any(|l| l == &format!("demo county loaded; every demo user's password is: {DEMO_PASSWORD}")), "{first:?}");
    let second = demo_start_lines(dir.path())?;
    assert!(!second.iter().any(|l| l.starts_with("demo county loaded")), "{second:?}");
    assert!(second.iter().any(|l| l.starts_with("demo county not loaded: the store holds a county already, unchanged")), "{second:?}");
    Ok(())
}
