//! The `patrolsync-server` command line, as a library function so that every binary that runs
//! the server (the release binary, the end-to-end tests' copy) is the same code.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::app::Application;
use crate::config::Config;

#[derive(Parser)]
#[command(name = "patrolsync-server", version, about = "The patrolsync sync server")]
struct Cli {
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
}

/// Parses the command line, runs the server until it stops, and says how it went.
pub fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let Command::Serve { config, db, bind, demo } = Cli::parse().command;
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

async fn serve(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let app = Application::build(config.clone()).await?;
    println!("patrolsync-server listening on http://127.0.0.1:{} (store {})", app.port(), config.db.display());
    if let Some(password) = &app.demo_password {
        println!("demo county loaded; every demo user's password is: {password}");
        println!("  e.g. village officer vo-t01-v01, township inspector ti-t01-1, county auditor ca-1, commissioner cm-1, admin admin");
    }
    println!("ready");
    app.run_until_stopped().await?;
    Ok(())
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
