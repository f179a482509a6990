//! The application in-process, for the API tests: [`spawn_app`] builds it as `serve` does
//! (`Application::build_with`: the real store, the real HTTP server on a loopback port 0) with the
//! demo county and an injected clock a test can move, and stops it when the test ends. The store is
//! a SQLite file in a temporary folder, or with `PATROLSYNC_TEST_STORE=postgres` a database of its
//! own on the test binary's throwaway PostgreSQL cluster ([`test_engine`]).

use anyhow::{Context, Result};
use std::path::Path;
use std::sync::{Arc, OnceLock};

use actix_web::dev::ServerHandle;
use patrolsync_server::app::Application;
use patrolsync_server::clock::TestClock;
use patrolsync_server::config::Config;

use crate::pg_cluster::{self, TestDb};
use crate::site::Site;
use patrolsync_server::store::sql::Engine;

/// The variable that names the engine the API tests' stores run on: `sqlite` (the default) or
/// `postgres`.
pub const TEST_STORE: &str = "PATROLSYNC_TEST_STORE";

/// The engine the API tests run on, as [`TEST_STORE`] names it.
pub fn test_engine() -> Engine {
    match std::env::var(TEST_STORE).as_deref() {
        Err(_) | Ok("" | "sqlite") => Engine::Sqlite,
        Ok("postgres") => Engine::Postgres,
        Ok(other) => panic!("{TEST_STORE}={other}: the test stores are `sqlite` or `postgres`"),
    }
}

/// Whether the API tests run on PostgreSQL. The few tests (or steps) that only make sense on
/// SQLite (a tool that opens a store file) are skipped when this is true, each saying why in its
/// doc.
pub fn on_postgres() -> bool {
    test_engine() == Engine::Postgres
}

/// Every test phone connects from 127.0.0.1, so the per-address limit of the auth routes is
/// lifted, in-process and in the child process alike; the tests of that limit set it back
/// (`api/auth_limits.rs`).
pub const LIFTED_LIMITS: [(&str, &str); 2] = [("PATROLSYNC_AUTH_PER_IP_PER_MINUTE", "1000000"), ("PATROLSYNC_AUTH_PER_IP_BURST", "100000")];

/// The application with the demo county (every demo user's password is [`crate::DEMO_PASSWORD`])
/// on a clock that runs with the system's until the test moves it.
pub fn spawn_app() -> Result<TestApp> {
    TestApp::spawn(&[])
}

/// The demo deployment of two counties (`serve --demo --counties 2`): Yunshan County, a copy of the
/// demo store as [`spawn_app`] gives it, and the small Baiyun County, loaded at start in its own
/// store (`counties/baiyun/central.db`, or on PostgreSQL the schema `baiyun` of the same
/// database), with the demo's city and province officials.
pub fn spawn_counties() -> Result<TestApp> {
    TestApp::spawn(&[("PATROLSYNC_DEMO_COUNTIES", "2")])
}

/// [`spawn_counties`] on SQLite whatever [`TEST_STORE`] says: Yunshan County in `central.db`,
/// Baiyun County in `counties/baiyun/central.db`.
pub fn spawn_counties_on_sqlite() -> Result<TestApp> {
    let dir = tempfile::tempdir()?;
    std::fs::write(dir.path().join("central.db"), demo_store()?)?;
    TestApp::start(dir, None, TestClock::running(), &[("PATROLSYNC_DEMO_COUNTIES", "2")])
}

/// [`spawn_counties`] on PostgreSQL whatever [`TEST_STORE`] says: Yunshan County in the database's
/// own `search_path` (a copy of [`demo_database`]), Baiyun County in the schema `baiyun`.
pub fn spawn_counties_on_postgres() -> Result<TestApp> {
    let database = pg_cluster::cluster()?.copy_of(demo_database()?)?;
    TestApp::start(tempfile::tempdir()?, Some(database), TestClock::running(), &[("PATROLSYNC_DEMO_COUNTIES", "2")])
}

/// The application running on its own thread (an actix system of its own, so that a test may
/// block, run a phone's CLI or read the store without holding up the server); stopped, its store
/// closed, when dropped.
pub struct TestApp {
    /// Stops the application when dropped: first, before its folder (or database) is removed.
    _running: Running,
    /// The application's PostgreSQL database, dropped after the application stopped.
    _database: Option<TestDb>,
    /// Its port and store folder ([`Site::url`], [`Site::db`], [`Site::open_store`]…).
    site: Site,
    /// The application's clock: `clock.advance(ms)` passes time without sleeping.
    pub clock: Arc<TestClock>,
}

impl TestApp {
    /// The demo application with settings given as their `PATROLSYNC_*` variables (the names
    /// docs/configuration.md lists), read the way `serve` reads the environment. Its store starts
    /// as a copy of the demo county's, loaded once per test binary ([`demo_store`], or on
    /// PostgreSQL [`demo_database`]).
    pub fn spawn(settings: &[(&str, &str)]) -> Result<TestApp> {
        let dir = tempfile::tempdir()?;
        let database = match test_engine() {
            Engine::Sqlite => {
                std::fs::write(dir.path().join("central.db"), demo_store()?)?;
                None
            }
            Engine::Postgres => Some(pg_cluster::cluster()?.copy_of(demo_database()?)?),
        };
        TestApp::start(dir, database, TestClock::running(), settings)
    }

    /// The demo application on `clock` (which may stand still), with `settings`; the demo county is
    /// loaded at the clock's time.
    pub fn spawn_on(clock: Arc<TestClock>, settings: &[(&str, &str)]) -> Result<TestApp> {
        let database = if on_postgres() { Some(pg_cluster::database()?) } else { None };
        TestApp::start(tempfile::tempdir()?, database, clock, settings)
    }

    fn start(dir: tempfile::TempDir, database: Option<TestDb>, clock: Arc<TestClock>, settings: &[(&str, &str)]) -> Result<TestApp> {
        let config = config(dir.path(), database.as_ref(), settings)?;
        let scheme = if config.tls.enabled()? { "https" } else { "http" };
        let running = Running::start(config, clock.clone())?;
        let store_url = database.as_ref().map(|db| db.url().to_owned());
        let site = Site { port: running.port, scheme: scheme.into(), dir, store_url };
        Ok(TestApp { site, clock, _running: running, _database: database })
    }
}

/// The demo county's store, loaded once per test binary through the path `serve --demo` takes,
/// then copied into each new application's folder: every test starts from the same real store
/// without loading the county again (half a second each).
pub fn demo_store() -> Result<&'static [u8]> {
    static STORE: OnceLock<Result<Vec<u8>, String>> = OnceLock::new();
    let store = STORE.get_or_init(|| load_demo_store().map_err(|e| format!("{e:#}")));
    store.as_deref().map_err(|e| anyhow::anyhow!("loading the demo county: {e}"))
}

fn load_demo_store() -> Result<Vec<u8>> {
    let dir = tempfile::tempdir()?;
    drop(Running::start(config(dir.path(), None, &[])?, TestClock::running())?);
    // Everything committed into the database file itself, so that the file alone is the store.
    let conn = rusqlite::Connection::open(dir.path().join("central.db"))?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        if busy == 0 {
            break;
        }
        anyhow::ensure!(std::time::Instant::now() < deadline, "the demo store stayed busy");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    Ok(std::fs::read(dir.path().join("central.db"))?)
}

/// The demo county's PostgreSQL database, loaded once per test binary through the path
/// `serve --demo` takes, then left unconnected: each new application's database is a copy of it
/// (`CREATE DATABASE … TEMPLATE`), as each SQLite application's file is a copy of [`demo_store`].
pub fn demo_database() -> Result<&'static TestDb> {
    static DATABASE: OnceLock<Result<TestDb, String>> = OnceLock::new();
    let database = DATABASE.get_or_init(|| load_demo_database().map_err(|e| format!("{e:#}")));
    database.as_ref().map_err(|e| anyhow::anyhow!("loading the demo county into PostgreSQL: {e}"))
}

fn load_demo_database() -> Result<TestDb> {
    let dir = tempfile::tempdir()?;
    let database = pg_cluster::database()?;
    drop(Running::start(config(dir.path(), Some(&database), &[])?, TestClock::running())?);
    database.disconnect_all()?;
    Ok(database)
}

/// The configuration of a test application in `dir`, its store in `database` if one is given:
/// the defaults, the lifted per-address limits, then `settings`; listening on a free loopback
/// port, with the demo county.
fn config(dir: &Path, database: Option<&TestDb>, settings: &[(&str, &str)]) -> Result<Config> {
    let keys = patrolsync_server::config::env::keys();
    if let Some((name, _)) = settings.iter().find(|(name, _)| !keys.iter().any(|k| k.env == *name)) {
        anyhow::bail!("{name} is not a setting of the server");
    }
    let store: Vec<(&str, &str)> = match database {
        Some(db) => vec![("PATROLSYNC_STORE_KIND", "postgres"), ("PATROLSYNC_STORE_URL", db.url())],
        None => Vec::new(),
    };
    let get = |name: &str| settings.iter().chain(&store).chain(&LIFTED_LIMITS).find(|(k, _)| *k == name).map(|(_, v)| v.to_string());
    let mut config = Config::load_with(None, get)?;
    config.bind = "127.0.0.1:0".into();
    config.db = dir.join("central.db");
    config.demo = true;
    // The demo users' password, kept beside the store, where the demo load reads it.
    std::fs::write(dir.join("demo-password"), crate::DEMO_PASSWORD)?;
    Ok(config)
}

/// An application serving on its own thread until dropped.
struct Running {
    port: u16,
    handle: ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    fn start(config: Config, clock: Arc<TestClock>) -> Result<Running> {
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new().name("test-app".into()).spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let app = match Application::build_with(config, clock, None).await {
                    Ok(app) => app,
                    Err(e) => return drop(tx.send(Err(anyhow::Error::new(e)))),
                };
                let _ = tx.send(Ok((app.port(), app.handle())));
                if let Err(e) = app.run_until_stopped().await {
                    eprintln!("the test application stopped with an error: {e}");
                }
            })
        })?;
        let (port, handle) = rx.recv().context("the application's thread ended")?.context("building the application")?;
        Ok(Running { port, handle, thread: Some(thread) })
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // Stops at once (open connections dropped); the thread ends when the server has stopped.
        drop(self.handle.stop(false));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl std::ops::Deref for TestApp {
    type Target = Site;

    fn deref(&self) -> &Site {
        &self.site
    }
}
