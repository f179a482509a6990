//! The `patrol-device` command line: parses arguments (clap), opens the replica, calls one
//! library function per command and prints the result. Exit code 0 on success, 1 on any error.

mod admin;
mod case_view;
mod checks;
mod evidence;
mod export;
mod flag_review;
mod format;
mod login;
mod office;
mod problems;
mod record;
mod report;
mod show;
mod sync_cmd;
mod week;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::replica::Replica;
use sync_protocol::ids::EventId;

#[derive(Debug, Parser)]
#[command(name = "patrol-device", version, about = "A patrol officer's phone: record patrols offline, sync when there is signal.")]
pub struct Cli {
    /// The replica file (one per phone).
    #[arg(long, global = true, env = "PATROLSYNC_REPLICA", default_value = "./patrol-device.db")]
    pub replica: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Log in (登录); the first login of a user on this phone creates their device identity.
    Login(login::LoginArgs),
    /// Change your own password (修改密码): the current one and the new one, each on its own line
    /// of standard input (needs the network).
    Passwd,
    /// Log out (退出登录): end this officer's session on the server and forget its tokens. The
    /// identity, its chain and its pending events stay on the phone.
    Logout,
    /// Make another officer who logged in on this phone before the active one (no network needed).
    SwitchUser {
        #[arg(long)]
        user: String,
    },
    /// Who is using the phone (当前用户).
    Whoami,
    /// Record a patrol (巡查) from a GPX or GeoJSON track; prints the patrol id.
    RecordPatrol(record::PatrolArgs),
    /// Report a finding (发现) on a recorded patrol; prints the finding id.
    ReportFinding(record::FindingArgs),
    /// File a zero report (零报告) for a week with nothing found.
    ZeroReport(record::ZeroArgs),
    /// Correct a recorded patrol (更正); the original stays in the ledger.
    AmendPatrol(record::AmendArgs),
    /// Sync with the server (同步): push pending events, pull what is new.
    Sync {
        /// Keep syncing on a timer, retrying with backoff, until Ctrl-C.
        #[arg(long)]
        watch: bool,
    },
    /// Upload state (上传状态): pending, rejected, last sync, last error.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// The local patrol ledger (巡查台帐) and zero reports.
    Ledger {
        #[arg(long)]
        json: bool,
    },
    /// Events the server refused (被退回), with reasons.
    Rejected,
    /// What the phone noticed about its server (服务器问题): a restore, a log that did not extend
    /// the one it witnessed, pulled events kept aside because they failed their checks.
    Problems {
        #[arg(long)]
        json: bool,
    },
    /// Whether a patrol will count toward the weekly quota, and why, checked on the phone (offline).
    CheckPatrol {
        #[arg(long, value_parser = record::parse_event_id)]
        patrol: EventId,
        #[arg(long)]
        json: bool,
    },
    /// Whether a finding lies in a licence in force, and its licence flags, checked on the phone.
    CheckFinding {
        #[arg(long, value_parser = record::parse_event_id)]
        finding: EventId,
        #[arg(long)]
        json: bool,
    },
    /// Cases (案件): record a step offline (open, verify, stop, rectify, joint, refer, major, close,
    /// resolve), or see them (list, show).
    #[command(subcommand)]
    Case(office::CaseCommand),
    /// Review a flag (预警核查), offline: a false alarm or confirmed.
    #[command(subcommand)]
    Flag(flag_review::FlagCommand),
    /// Record a tip (举报), offline: receive, assign, answer.
    #[command(subcommand)]
    Tip(office::TipCommand),
    /// The server's reports for your scope, as JSON (needs the network).
    #[command(subcommand)]
    Report(report::ReportKind),
    /// The flags (预警) the server's checks raised in your scope, with filters (needs the network).
    Flags(checks::FlagArgs),
    /// Attach a photo or document (证据材料) to a finding or patrol, offline; prints the attachment id.
    Attach(evidence::AttachArgs),
    /// A finding's or patrol's evidence and where its bytes are (on phone, on server, not here).
    Evidence(evidence::EvidenceArgs),
    /// Download evidence from the server into the phone's blob folder (needs the network).
    Fetch(evidence::FetchArgs),
    /// Export the patrol ledger (巡查台帐导出) of your scope from the server as CSV, XLSX or JSON.
    LedgerExport(export::ExportArgs),
    /// Administration (管理), for admins: enrol, change, disable or enable a user, reset a password,
    /// revoke a device, read the access log (needs the network).
    #[command(subcommand)]
    Admin(admin::AdminCommand),
    /// Your status this week (本周巡查), offline: patrols counting against the quota, zero report.
    Week {
        /// ISO week, e.g. 2026-W48 (default: this week).
        #[arg(long, value_parser = record::parse_week)]
        week: Option<sync_protocol::values::IsoWeek>,
        #[arg(long)]
        json: bool,
    },
}

/// Runs the CLI on the process arguments.
pub fn main() -> ExitCode {
    quiet_when_the_reader_stops();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(1) } else { ExitCode::SUCCESS };
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error (错误): {e:#}");
            ExitCode::from(1)
        }
    }
}

/// Runs one parsed command.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    // Only a login makes a replica; any other command on a path that holds none is a mistyped path
    // (or a phone no one has logged in on), and writes nothing there.
    if let Command::Login(args) = cli.command {
        return login_into(&cli.replica, args);
    }
    anyhow::ensure!(
        cli.replica.exists(),
        "no replica at {} (本机无此数据): log in first (`patrol-device --replica {} login …`), or check the path",
        cli.replica.display(),
        cli.replica.display()
    );
    let mut replica = Replica::open(&cli.replica)?;
    match cli.command {
        Command::Login(args) => login_into(&cli.replica, args),
        Command::Logout => block_on(login::logout(&replica)),
        Command::Passwd => block_on(login::passwd(&replica)),
        Command::SwitchUser { user } => login::switch(&mut replica, &user),
        Command::Whoami => show::whoami(&replica),
        Command::RecordPatrol(args) => record::patrol(&mut replica, args),
        Command::ReportFinding(args) => record::finding(&mut replica, args),
        Command::ZeroReport(args) => record::zero_report(&mut replica, args),
        Command::AmendPatrol(args) => record::amend(&mut replica, args),
        Command::Sync { watch } => block_on(sync_cmd::run(&mut replica, watch)),
        Command::Status { json } => show::status(&replica, json),
        Command::Ledger { json } => show::ledger(&replica, json),
        Command::Rejected => show::rejected(&replica),
        Command::Problems { json } => problems::problems(&replica, json),
        Command::CheckPatrol { patrol, json } => checks::check_patrol(&replica, patrol, json),
        Command::CheckFinding { finding, json } => checks::check_finding(&replica, finding, json),
        Command::Flags(args) => block_on(checks::flags(&replica, args)),
        Command::Report(kind) => block_on(report::report(&replica, kind)),
        Command::Case(c) => office::case(&mut replica, c),
        Command::Flag(f) => flag_review::flag(&mut replica, f),
        Command::Tip(t) => office::tip(&mut replica, t),
        Command::Attach(args) => evidence::attach(&mut replica, args),
        Command::Evidence(args) => evidence::list(&replica, args),
        Command::Fetch(args) => block_on(evidence::fetch(&replica, args)),
        Command::Week { week: w, json } => week::week(&replica, w, json),
        Command::LedgerExport(args) => block_on(export::ledger_export(&replica, args)),
        Command::Admin(c) => block_on(admin::admin(&replica, c)),
    }
}

/// Logs in on the replica at `path`, made if missing; a login that fails leaves no new replica.
fn login_into(path: &std::path::Path, args: login::LoginArgs) -> anyhow::Result<()> {
    let fresh = !path.exists();
    let mut replica = Replica::open(path)?;
    let outcome = block_on(login::run(&mut replica, args));
    if fresh && outcome.is_err() {
        drop(replica);
        for end in ["", "-wal", "-shm"] {
            let mut file = path.as_os_str().to_owned();
            file.push(end);
            let _ = std::fs::remove_file(file);
        }
    }
    outcome
}

fn block_on<T, E: Into<anyhow::Error>, F: std::future::Future<Output = Result<T, E>>>(f: F) -> anyhow::Result<T> {
    tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(f).map_err(Into::into)
}

/// Output piped to a reader that stopped early (`patrol-device sync | head -1`): what the command
/// did is done and stored, so it ends quietly, as Unix tools do, not with `println!`'s panic on
/// the closed pipe. Every other panic is reported as before.
fn quiet_when_the_reader_stops() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload.downcast_ref::<String>().map(String::as_str).or_else(|| payload.downcast_ref::<&str>().copied());
        if message.is_some_and(|m| m.starts_with("failed printing to stdout") && m.contains("Broken pipe")) {
            std::process::exit(0);
        }
        report(info);
    }));
}
