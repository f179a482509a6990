//! docs/operations.md names every command a county's administrator runs: each `patrolsync-server`
//! command and subcommand, and the phone's account and server commands (`login`'s transport and
//! password flags, `passwd`, every `admin` subcommand, `problems`). The names are read from the
//! command lines' own definitions (clap), so a new command cannot go undocumented.

use clap::CommandFactory;

const DOC: &str = include_str!("../../../docs/operations.md");

/// Every command `cmd` runs, as typed after the program's name: `init`, `roster import`, ….
fn commands(cmd: &clap::Command) -> Vec<String> {
    let mut found = Vec::new();
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let nested = commands(sub);
        if nested.is_empty() {
            found.push(sub.get_name().to_owned());
        }
        found.extend(nested.into_iter().map(|n| format!("{} {n}", sub.get_name())));
    }
    found
}

#[test]
fn operations_md_names_every_server_command() {
    let all = commands(&patrolsync_server::tools::cli::Cli::command());
    assert!(all.iter().any(|c| c == "roster import") && all.len() > 15, "{all:?}");
    let named = |c: &String| {
        let (top, rest) = c.split_once(' ').unwrap_or((c, ""));
        // `patrolsync-server roster import`, or `roster export` beside a `patrolsync-server roster …`.
        DOC.contains(&format!("patrolsync-server {c}"))
            || (DOC.contains(&format!("patrolsync-server {top}")) && DOC.contains(&format!("`{top} {rest}")))
    };
    let missing: Vec<&String> = all.iter().filter(|c| !named(c)).collect();
    assert!(missing.is_empty(), "docs/operations.md does not name: {missing:?}");
}

#[test]
fn operations_md_names_the_phones_account_and_server_commands() {
    let device = patrolsync_client::cli::Cli::command();
    let admin = device.find_subcommand("admin").expect("patrol-device admin");
    let mut wanted: Vec<String> = commands(admin).into_iter().map(|c| format!("admin {c}")).collect();
    assert!(wanted.len() >= 7, "{wanted:?}");
    wanted.extend(["patrol-device passwd", "patrol-device problems", "patrol-device login"].map(str::to_owned));
    let login = device.find_subcommand("login").expect("patrol-device login");
    for flag in ["ca-file", "allow-plain-http", "password-stdin", "new-password"] {
        assert!(login.get_arguments().any(|a| a.get_long() == Some(flag)), "login has --{flag}");
        wanted.push(format!("--{flag}"));
    }
    let missing: Vec<&String> = wanted.iter().filter(|w| !DOC.contains(w.as_str())).collect();
    assert!(missing.is_empty(), "docs/operations.md does not name: {missing:?}");
}
