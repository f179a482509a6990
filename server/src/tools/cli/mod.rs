//! The `patrolsync-server` command line (`serve`, `init`, `roster`, `reference`, `audit
//! integrity|checkpoint|consistency|verify|read-model`, `rotate-token-key`, `set-password`, `config
//! check`, `backup`, `restore`, `gis-views`, `hash-password`), in the library so that every binary that runs the server (the
//! release binary, the end-to-end tests' copy) is the same code: each parses it, sets up logging as
//! [`Cli::logging`] says, and runs it.
//!
//! # Layout
//! - this file: the commands, how each logs, and how each ends (its exit code, its error printed
//!   with its causes);
//! - [`serve`]: `serve` and `config check`; [`accounts`]: `init`, `set-password`,
//!   `rotate-token-key`, `hash-password`; [`audit`]: `audit …`; [`reference`] and [`roster`]: the reference file
//!   and the roster in and out of a store; [`backup`]: `backup` and `restore`; [`gis`]: `gis-views`.

mod accounts;
mod audit;
mod backup;
mod gis;
mod reference;
mod roster;
mod serve;

use clap::{Args, Parser, Subcommand};
use std::future::Future;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use sync_protocol::checks::recheck::CheckConfig;

use crate::config::Config;
use crate::store::offline::OfflineStore;
use crate::store::sqlite::SqliteStore;
use crate::store::{Store, StoreError};
use crate::tools::log::LogCommandError;
use std::sync::Arc;

#[derive(Parser)]
#[command(name = "patrolsync-server", version, about = "The patrolsync sync server")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server on its embedded SQLite store.
    Serve(serve::ServeArgs),
    /// Found a county in an empty store, without the demo: its unit, its time zone and its first
    /// admin, whose password is read from standard input (8 to 128 characters).
    Init(accounts::InitArgs),
    /// Import or export the county's roster (花名册) of units and people, as CSV or XLSX.
    Roster {
        #[command(subcommand)]
        action: roster::RosterAction,
    },
    /// Import or export reference data (units, zones and their officers, licences) as GeoJSON.
    Reference {
        #[command(subcommand)]
        action: reference::ReferenceAction,
    },
    /// The county's audits of the store.
    Audit {
        #[command(subcommand)]
        action: audit::AuditAction,
    },
    /// Rotate the key that signs access tokens: a new key signs from now on (a running server
    /// picks it up within `[auth] key_reload_s`); the previous keys still verify.
    RotateTokenKey(accounts::RotateArgs),
    /// Back up the store, its evidence blobs and key files into a new or empty folder, while the
    /// server serves (SQLite's online backup), with a manifest of hashes and the log's checkpoint.
    Backup(backup::BackupArgs),
    /// Restore a backup into a new or empty folder, after checking every file against its
    /// manifest; the restored store starts a new epoch, so phones re-send what it lost.
    Restore(backup::RestoreArgs),
    /// Check a configuration file (with the PATROLSYNC_* variables set now), without starting.
    Config {
        #[command(subcommand)]
        action: serve::ConfigAction,
    },
    /// Set a user's password, read from standard input (8 to 128 characters, any kind).
    SetPassword(accounts::SetPasswordArgs),
    /// Make the GIS views (zones, licence areas, patrol tracks, findings as PostGIS geometry) in a
    /// county's PostgreSQL store, or every county's, readable by a role for QGIS.
    GisViews(gis::GisArgs),
    /// Print the argon2id hash of a password read from standard input, for the `password_hash` of
    /// a city or province official (`[[officials]]`).
    HashPassword,
}

/// The store a command works on (an audit, an export, `set-password`): a SQLite file, or the
/// store of a county of the deployment a config describes.
#[derive(Args)]
struct NamedStore {
    /// The store's SQLite file.
    #[arg(long, required_unless_present = "config", conflicts_with = "config")]
    db: Option<PathBuf>,
    /// The server's TOML config file: its store (`[store] kind = "postgres"` and `url`, or `db`),
    /// as `serve --config` opens it, with the PATROLSYNC_* variables over the file.
    #[arg(long)]
    config: Option<PathBuf>,
    /// With --config: the county whose store it is (a deployment of several counties: its file,
    /// or on PostgreSQL its schema).
    #[arg(long, requires = "config")]
    county: Option<String>,
}

impl NamedStore {
    /// The store named: `--db`, or the county's of `--config` ([`crate::tools::log::store_of`]).
    fn open(self) -> Result<OfflineStore, LogCommandError> {
        crate::tools::log::store_of(self.db, self.config.as_deref(), self.county.as_deref())
    }

    /// The store named, for a command to say where it wrote: the file, or the county of the config
    /// (never the connection string, which may hold a password).
    fn describe(&self) -> String {
        match (&self.db, &self.config) {
            (Some(db), _) => db.display().to_string(),
            (None, config) => {
                let config = config.as_deref().map(Path::display).map(|c| c.to_string()).unwrap_or_default();
                match &self.county {
                    Some(county) => format!("the store of county {county} of {config}"),
                    None => format!("the store of {config}"),
                }
            }
        }
    }
}

/// What an import names besides its file: the store it changes (a file, or a county of the
/// deployment `--config` describes), the config its re-checks judge by, and whether it only checks.
#[derive(Args)]
struct ImportInto {
    /// The store's SQLite file (created, and migrated, if needed).
    #[arg(long, required_unless_present = "county")]
    db: Option<PathBuf>,
    /// The county of the deployment (`[[counties]]` of --config) whose store the import changes:
    /// its file, or on PostgreSQL (`[store] kind = "postgres"`) its schema.
    #[arg(long, conflicts_with = "db")]
    county: Option<String>,
    /// The server's config file: the re-checks the import causes use its `[checks]` (and the
    /// `PATROLSYNC_CHECKS_*` environment), as `serve` does.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Check and report what would be authored, without writing.
    #[arg(long)]
    dry_run: bool,
    /// The store, `--db` or the county's (set by [`ImportInto::resolve`]).
    #[arg(skip)]
    at: OfflineStore,
}

impl ImportInto {
    /// Finds the store, as `audit verify` does: `--db`, or the store of the `--county` of
    /// `--config`'s deployment (its file, or on PostgreSQL its schema of `[store] url`).
    fn resolve(&mut self) -> Result<(), LogCommandError> {
        self.at = crate::tools::log::store_of(self.db.clone(), self.config.as_deref(), self.county.as_deref())?;
        Ok(())
    }

    /// The store, opened as `serve` opens it (migrated; on PostgreSQL each write transaction
    /// holding the county's writer role, so that the import takes turns with the servers'
    /// batches), its re-checks judged by `checks`.
    fn open(&self, checks: CheckConfig) -> Result<Arc<dyn Store>, StoreError> {
        open_store(&self.at, checks)
    }

    /// Prints what the import authored (or, in a dry run, would author).
    fn report(&self, summary: impl std::fmt::Display) {
        println!("{}: {summary}", if self.dry_run { "dry run, nothing written" } else { "imported" });
    }
}

/// Opens `at` as `serve` opens a store (migrated, its re-checks judged by `checks`; on
/// PostgreSQL each write transaction holding the county's writer role): for an import to change,
/// or an export to read through the service's own queries.
fn open_store(at: &OfflineStore, checks: CheckConfig) -> Result<Arc<dyn Store>, StoreError> {
    match at {
        OfflineStore::File(file) => Ok(Arc::new(SqliteStore::open_checking(file, checks)?)),
        OfflineStore::Postgres { url, schema } => {
            let pool = crate::pool::Blocking::new("store", 2).map_err(StoreError::Threads)?;
            let settings = crate::store::sqlite::Settings { checks, ..Default::default() };
            crate::store::open_postgres((url, schema.as_deref()), settings, pool)?
                .ok_or_else(|| StoreError::Engine(crate::store::POSTGRES_NOT_BUILT.into()))
        }
    }
}

/// Where a command's logs go, and from what level when `RUST_LOG` says nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Logging {
    pub default_level: &'static str,
    /// To standard error (standard output may be the command's result), else standard output.
    pub stderr: bool,
    /// One JSON object a line (`[log] format = "json"`), else text.
    pub json: bool,
}

impl Logging {
    /// Logs through `tracing`, filtered by `RUST_LOG` (else the default level). For a binary's
    /// `main` to call once: the library never installs a logger by itself.
    pub fn init(self) {
        let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| self.default_level.into());
        // Colours only on a terminal: a journal or a log file gets plain text.
        let ansi = if self.stderr { std::io::stderr().is_terminal() } else { std::io::stdout().is_terminal() };
        let logs = tracing_subscriber::fmt().with_env_filter(filter).with_ansi(ansi);
        match (self.json, self.stderr) {
            (true, true) => logs.json().with_writer(std::io::stderr).init(),
            (true, false) => logs.json().init(),
            (false, true) => logs.with_writer(std::io::stderr).init(),
            (false, false) => logs.init(),
        }
    }
}

impl Cli {
    /// The command line of this process.
    pub fn from_args() -> Cli {
        Cli::parse()
    }

    /// How the command logs: the server at `info` on standard output, in the format its
    /// configuration names (a configuration that does not load is reported once the command
    /// runs), the other commands at `warn` on standard error.
    pub fn logging(&self) -> Logging {
        match &self.command {
            Command::Serve(args) => {
                let json = Config::load(args.config.as_deref()).is_ok_and(|c| c.log.format == crate::config::LogFormat::Json);
                Logging { default_level: "info", stderr: false, json }
            }
            _ => Logging { default_level: "warn", stderr: true, json: false },
        }
    }

    /// Runs the command, and says how it went.
    pub fn run(self) -> ExitCode {
        match self.command {
            Command::Serve(args) => serve::run(args),
            Command::Init(args) => accounts::init(args),
            Command::Roster { action } => roster::run(action),
            Command::Reference { action } => reference::run(action),
            Command::Audit { action } => audit::run(action),
            Command::RotateTokenKey(args) => accounts::rotate_token_key(args),
            Command::Backup(args) => done(backup::backup(args)),
            Command::Restore(args) => done(backup::restore(args)),
            Command::Config { action } => serve::config(action),
            Command::GisViews(args) => gis::run(args),
            Command::SetPassword(args) => accounts::set_password(args),
            Command::HashPassword => accounts::hash_password(),
        }
    }
}

/// Runs a command that changes the store on a runtime of its own thread, with the checks the
/// county's server judges by: read as `serve` reads them (the file `config`, if any, then the
/// `PATROLSYNC_*` environment).
fn with_checks<F, E>(config: Option<&Path>, command: impl FnOnce(CheckConfig) -> F) -> ExitCode
where
    F: Future<Output = Result<(), E>>,
    E: std::error::Error,
{
    match Config::load(config) {
        Ok(config) => block_on(command(config.checks)),
        Err(e) => fail(&e),
    }
}

/// Runs an export on a runtime of this thread: the store `from` names, opened as `serve` opens it
/// (with the checks of its config, if any), given to `export`.
fn export_from<F, E>(from: NamedStore, export: impl FnOnce(Arc<dyn Store>) -> F) -> ExitCode
where
    F: Future<Output = Result<(), E>>,
    E: std::error::Error + From<StoreError>,
{
    with_store(from, |store, _| export(store))
}

/// Runs `command` on a runtime of this thread with the store `named` names, opened as `serve`
/// opens it (created and migrated if new; on PostgreSQL each write transaction holding the
/// county's writer role), and the configuration it is judged by: the file `--config`, if any, then
/// the `PATROLSYNC_*` environment (its `[checks]`, its password cost).
fn with_store<F, E>(named: NamedStore, command: impl FnOnce(Arc<dyn Store>, Config) -> F) -> ExitCode
where
    F: Future<Output = Result<(), E>>,
    E: std::error::Error + From<StoreError>,
{
    let config = match Config::load(named.config.as_deref()) {
        Ok(config) => config,
        Err(e) => return fail(&e),
    };
    match named.open() {
        Ok(at) => block_on(async move { command(open_store(&at, config.checks)?, config).await }),
        Err(e) => fail(&e),
    }
}

/// Runs `command` on a runtime of this thread; success, or its error printed with its causes.
fn block_on<E: std::error::Error>(command: impl Future<Output = Result<(), E>>) -> ExitCode {
    match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime.block_on(command).map_or_else(|e| fail(&e), |()| ExitCode::SUCCESS),
        Err(e) => fail(&e),
    }
}

/// Success, or the error printed with its causes.
fn done(result: Result<(), Box<dyn std::error::Error>>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&*e),
    }
}

/// Prints an error with its causes and returns the failure exit code.
fn fail(error: &dyn std::error::Error) -> ExitCode {
    eprintln!("error: {error}");
    let mut source = error.source();
    while let Some(cause) = source {
        eprintln!("  caused by: {cause}");
        source = cause.source();
    }
    ExitCode::FAILURE
}
