//! The `patrolsync-server` command line (`serve`, `init`, `roster`, `reference`, `audit
//! integrity|checkpoint|consistency|verify|read-model`, `rotate-token-key`, `set-password`, `config check`, `backup`,
//! `restore`), in the library so that every binary that runs the server
//! (the release binary, the end-to-end tests' copy) is the same code: each parses it, sets up
//! logging as [`Cli::logging`] says, and runs it.

use clap::{Parser, Subcommand};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use sync_protocol::checks::recheck::CheckConfig;
use sync_protocol::wire::audit::ReadModelCheck;

use crate::store::People;
use crate::store::people::PasswordHash;

use crate::app::Application;
use crate::config::Config;
use crate::store::sqlite::{ReadOnly, SqliteStore};
use crate::tools::reference::{self, ImportOptions, Limits, ReferenceFileError, geometry, progress};

#[derive(Parser)]
#[command(name = "patrolsync-server", version, about = "The patrolsync sync server")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server on its embedded SQLite store.
    Serve {
        /// A TOML config file; PATROLSYNC_* variables override it, flags override both.
        #[arg(long)]
        config: Option<PathBuf>,
        /// The store's SQLite file.
        #[arg(long)]
        db: Option<PathBuf>,
        /// Address to listen on, e.g. 127.0.0.1:8080 (port 0: any free port).
        #[arg(long)]
        bind: Option<String>,
        /// Load the demo county into an empty store and print the demo credentials.
        #[arg(long)]
        demo: bool,
    },
    /// Found a county in an empty store, without the demo: its unit, its time zone and its first
    /// admin, whose password is read from standard input (8 to 128 characters).
    Init {
        /// The store's SQLite file (created and migrated).
        #[arg(long)]
        db: PathBuf,
        /// The county's unit id, e.g. CTY.
        #[arg(long)]
        county: sync_protocol::ids::UnitId,
        /// The county's name in pinyin or English.
        #[arg(long)]
        name: String,
        /// The county's name in Chinese (县名).
        #[arg(long)]
        name_zh: String,
        /// The county's time zone.
        #[arg(long, default_value = crate::tools::init::TIME_ZONE)]
        time_zone: String,
        /// The first admin's user id.
        #[arg(long, default_value = "admin")]
        admin: sync_protocol::ids::UserId,
        /// The first admin's display name.
        #[arg(long, default_value = "System Administrator 系统管理员")]
        admin_name: String,
    },
    /// Import or export the county's roster (花名册) of units and people, as CSV or XLSX.
    Roster {
        #[command(subcommand)]
        action: crate::tools::roster_cli::RosterAction,
    },
    /// Import or export reference data (units, zones and their officers, licences) as GeoJSON.
    Reference {
        #[command(subcommand)]
        action: ReferenceAction,
    },
    /// The county's audits of the store.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// Rotate the key that signs access tokens: a new key signs from now on (a running server
    /// picks it up within `[auth] key_reload_s`); the previous keys still verify.
    RotateTokenKey {
        /// The token key file (default `token-keys.json` beside the store given with --db).
        #[arg(long, required_unless_present = "db")]
        key_file: Option<PathBuf>,
        /// The store's SQLite file, to find the key file beside it.
        #[arg(long)]
        db: Option<PathBuf>,
    },
    /// Back up the store, its evidence blobs and key files into a new or empty folder, while the
    /// server serves (SQLite's online backup), with a manifest of hashes and the log's checkpoint.
    Backup {
        /// The server's TOML config file (for the store, blob folder and key file paths).
        #[arg(long)]
        config: Option<PathBuf>,
        /// The store's SQLite file (overrides the config).
        #[arg(long)]
        db: Option<PathBuf>,
        /// The backup folder (new or empty).
        #[arg(long)]
        to: PathBuf,
    },
    /// Restore a backup into a new or empty folder, after checking every file against its
    /// manifest; the restored store starts a new epoch, so phones re-send what it lost.
    Restore {
        /// The backup folder.
        #[arg(long)]
        from: PathBuf,
        /// The folder to restore into (new or empty); serve it with --db NEWDIR/central.db.
        #[arg(long)]
        to: PathBuf,
    },
    /// Check a configuration file (with the PATROLSYNC_* variables set now), without starting.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Set a user's password, read from standard input (8 to 128 characters, any kind).
    SetPassword {
        /// The store's SQLite file.
        #[arg(long)]
        db: PathBuf,
        /// The user id.
        #[arg(long)]
        user: String,
    },
}

#[derive(Subcommand)]
enum ConfigAction {
    /// Read FILE as the server would (defaults, the file, then the environment) and check every
    /// setting; exit code 1, with the key and the reason, when one is not valid.
    Check {
        /// The TOML config file.
        file: PathBuf,
        /// Print the resulting configuration, every key, as TOML.
        #[arg(long)]
        print: bool,
    },
}

#[derive(Subcommand)]
enum AuditAction {
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
        #[arg(long)]
        db: PathBuf,
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

#[derive(Subcommand)]
enum ReferenceAction {
    /// Check a GeoJSON reference file and author what differs from the store, all or nothing.
    Import {
        /// The store's SQLite file (created, and migrated, if needed).
        #[arg(long)]
        db: PathBuf,
        /// The server's config file: the re-checks the import causes use its `[checks]` (and the
        /// `PATROLSYNC_CHECKS_*` environment), as `serve` does.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Check and report what would be authored, without writing.
        #[arg(long)]
        dry_run: bool,
        /// The most vertices one polygon may have, all rings together.
        #[arg(long, default_value_t = geometry::DEFAULT_MAX_VERTICES as u32,
              value_parser = clap::value_parser!(u32).range(4..=geometry::MAX_VERTICES_LIMIT as i64))]
        max_vertices: u32,
        /// The GeoJSON FeatureCollection to import.
        file: PathBuf,
    },
    /// Write the store's current reference data as a GeoJSON reference file.
    Export {
        /// The store's SQLite file.
        #[arg(long)]
        db: PathBuf,
        /// Where to write (default: standard output).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
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
            Command::Serve { config, .. } => {
                let json = Config::load(config.as_deref()).is_ok_and(|c| c.log.format == crate::config::LogFormat::Json);
                Logging { default_level: "info", stderr: false, json }
            }
            _ => Logging { default_level: "warn", stderr: true, json: false },
        }
    }

    /// Runs the command, and says how it went.
    pub fn run(self) -> ExitCode {
        run(self.command)
    }
}

fn run(command: Command) -> ExitCode {
    match command {
        Command::Serve { config, db, bind, demo } => run_server(config, db, bind, demo),
        Command::Reference { action } => {
            let checks = match county_checks(action.config_file()) {
                Ok(checks) => checks,
                Err(e) => return fail(&e),
            };
            let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(runtime) => runtime,
                Err(e) => return fail(&e),
            };
            match runtime.block_on(reference(action, checks)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(ReferenceFileError::Invalid(findings)) => {
                    eprint!("{findings}");
                    fail(&ReferenceFileError::Invalid(findings))
                }
                Err(e) => fail(&e),
            }
        }
        Command::Roster { action } => {
            let checks = match county_checks(action.config_file()) {
                Ok(checks) => checks,
                Err(e) => return fail(&e),
            };
            let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(runtime) => runtime,
                Err(e) => return fail(&e),
            };
            match runtime.block_on(crate::tools::roster_cli::run(action, checks)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(&e),
            }
        }
        Command::Audit { action } => {
            let outcome = match action {
                AuditAction::Checkpoint { db, json } => crate::tools::log::checkpoint(&db, json),
                AuditAction::Consistency { db, from, to } => crate::tools::log::consistency(&db, from, to),
                AuditAction::Verify { db, checkpoint, json } => crate::tools::log::verify(&db, checkpoint.as_deref(), json),
                AuditAction::Integrity { db, json } => Ok(audit_integrity(&db, json)),
                AuditAction::ReadModel { db, rebuild, json } => Ok(audit_read_model(&db, rebuild, json)),
            };
            outcome.unwrap_or_else(|e| fail(&e))
        }
        Command::RotateTokenKey { key_file, db } => {
            let path = key_file.unwrap_or_else(|| Config { db: db.unwrap_or_default(), ..Config::default() }.token_key_file());
            match crate::service::auth::keys::KeyRing::rotate(&path, crate::clock::system().now_s()) {
                Ok(kid) => {
                    println!("new signing key {kid} in {}", path.display());
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e),
            }
        }
        Command::SetPassword { db, user } => set_password(&db, &user),
        Command::Init { db, county, name, name_zh, time_zone, admin, admin_name } => {
            let county = crate::tools::init::County { unit: county, name, name_zh, time_zone, admin, admin_name };
            init(&db, county)
        }
        Command::Config { action: ConfigAction::Check { file, print } } => check_config(&file, print),
        Command::Backup { config, db, to } => done(crate::tools::backup_cli::backup(config.as_deref(), db, &to)),
        Command::Restore { from, to } => done(crate::tools::backup_cli::restore(&from, &to)),
    }
}

fn check_config(file: &std::path::Path, print: bool) -> ExitCode {
    let config = match Config::load(Some(file)) {
        Ok(config) => config,
        Err(e) => return fail(&e),
    };
    if print {
        match toml::to_string(&config) {
            Ok(text) => print!("{text}"),
            Err(e) => return fail(&e),
        }
    }
    println!("{}: valid (store {}, listening on {})", file.display(), config.db.display(), config.bind);
    ExitCode::SUCCESS
}

fn init(db: &std::path::Path, county: crate::tools::init::County) -> ExitCode {
    let password = match read_password() {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let cost = Config::load(None).map(|c| c.auth.password).unwrap_or_default();
    let (unit, admin) = (county.unit.clone(), county.admin.clone());
    let founded = SqliteStore::open(db).map_err(crate::tools::init::InitError::Store).and_then(|store| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| crate::tools::init::InitError::Hash(e.to_string()))?;
        runtime.block_on(crate::tools::init::init(&store, county, password, cost))
    });
    match founded {
        Ok(_) => {
            println!("county {unit} founded in {}; admin {admin} can log in", db.display());
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

/// The first line of standard input, without its line ending.
fn read_password() -> std::io::Result<String> {
    let mut password = String::new();
    std::io::stdin().read_line(&mut password)?;
    Ok(password.trim_end_matches(['\r', '\n']).to_owned())
}

fn set_password(db: &std::path::Path, user: &str) -> ExitCode {
    let password = match read_password() {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let password = password.as_str();
    let phc = match crate::service::auth::password::check_new_password(password)
        .and_then(|()| crate::service::auth::password::hash(password, Config::load(None).map(|c| c.auth.password).unwrap_or_default()))
    {
        Ok(phc) => phc,
        Err(e) => return fail(&e),
    };
    let store = match SqliteStore::open(db) {
        Ok(store) => store,
        Err(e) => return fail(&e),
    };
    let user_id = match sync_protocol::ids::UserId::new(user) {
        Ok(id) => id,
        Err(e) => return fail(&e),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => return fail(&e),
    };
    let password = PasswordHash { user: user_id, phc, one_time: false };
    match runtime.block_on(People::reset_password(&store, None, password)) {
        Ok(_) => {
            println!("password of {user} set");
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

fn audit_integrity(db: &std::path::Path, json: bool) -> ExitCode {
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

fn audit_read_model(db: &std::path::Path, rebuild: bool, json: bool) -> ExitCode {
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

fn run_server(config: Option<PathBuf>, db: Option<PathBuf>, bind: Option<String>, demo: bool) -> ExitCode {
    let config = match Config::load(config.as_deref()) {
        Ok(mut c) => {
            c.db = db.unwrap_or(c.db);
            c.bind = bind.unwrap_or(c.bind);
            c.demo |= demo;
            c
        }
        Err(e) => return fail(&e),
    };
    match actix_web::rt::System::new().block_on(serve(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e.as_ref()),
    }
}

impl ReferenceAction {
    /// The config file the command names, if any.
    fn config_file(&self) -> Option<&std::path::Path> {
        match self {
            ReferenceAction::Import { config, .. } => config.as_deref(),
            ReferenceAction::Export { .. } => None,
        }
    }
}

/// The checks a tool's changes are judged by: the county's, read as `serve` reads them (the file
/// `config`, if any, then the `PATROLSYNC_*` environment).
fn county_checks(config: Option<&std::path::Path>) -> Result<CheckConfig, crate::config::ConfigError> {
    Ok(Config::load(config)?.checks)
}

async fn reference(action: ReferenceAction, checks: CheckConfig) -> Result<(), ReferenceFileError> {
    match action {
        ReferenceAction::Import { db, config: _, dry_run, max_vertices, file } => {
            let text = reference::read_file(&file)?;
            let store = SqliteStore::open_checking(&db, checks)?;
            let options = ImportOptions { dry_run, limits: Limits { max_vertices: max_vertices as usize } };
            let summary = reference::import(&store, text, Vec::new(), Vec::new(), options, &progress::terminal()).await?;
            println!("{}: {summary}", if dry_run { "dry run, nothing written" } else { "imported" });
        }
        ReferenceAction::Export { db, output } => {
            let store = SqliteStore::open(&db)?;
            let text = reference::export(&store).await?;
            match output {
                Some(path) => std::fs::write(&path, text).map_err(|e| ReferenceFileError::Write(path.clone(), e))?,
                None => print!("{text}"),
            }
        }
    }
    Ok(())
}

async fn serve(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let app = Application::build(config.clone()).await?;
    let scheme = if config.tls.cert_file.is_some() { "https" } else { "http" };
    println!("patrolsync-server listening on {scheme}://127.0.0.1:{} (store {})", app.port(), config.db.display());
    if let Some(password) = &app.demo_password {
        println!("demo county loaded; every demo user's password is: {password}");
        println!("  e.g. village officer vo-t01-v01, township inspector ti-t01-1, county auditor ca-1, commissioner cm-1, admin admin");
    }
    println!("ready");
    app.run_until_stopped().await?;
    Ok(())
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
