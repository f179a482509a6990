//! `patrolsync-server`: run the sync server.

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

use patrolsync_server::app::Application;

/// Sync requests allocate and free many large buffers; glibc's allocator returns each to the
/// kernel and pays for zeroed pages again on the next request. mimalloc keeps them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use patrolsync_server::config::Config;

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
        /// A TOML config file (see docs/operations.md); PATROLSYNC_* variables override it.
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

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let Command::Serve { config, db, bind, demo } = Cli::parse().command;
    let mut config = Config::load(config.as_deref())?;
    if let Some(db) = db {
        config.db = db;
    }
    if let Some(bind) = bind {
        config.bind = bind;
    }
    config.demo |= demo;
    let app = Application::build(config.clone()).await.context("starting the server")?;
    println!("patrolsync-server listening on http://127.0.0.1:{} (store {})", app.port(), config.db.display());
    if let Some(password) = &app.demo_password {
        println!("demo county loaded; every demo user's password is: {password}");
        println!("  e.g. village officer vo-t01-v01, township inspector ti-t01-1, county auditor ca-1, commissioner cm-1, admin admin");
    }
    println!("ready");
    app.run_until_stopped().await.context("serving")
}
