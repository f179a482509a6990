//! `patrolsync-server serve` (the server on its store, until stopped) and `config check` (a config
//! file read as `serve` would read it, without starting).

use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::fail;
use crate::app::Application;
use crate::config::Config;

#[derive(Args)]
pub(super) struct ServeArgs {
    /// A TOML config file; PATROLSYNC_* variables override it, flags override both.
    #[arg(long)]
    pub(super) config: Option<PathBuf>,
    /// The store's SQLite file.
    #[arg(long)]
    db: Option<PathBuf>,
    /// Address to listen on, e.g. 127.0.0.1:8080 (port 0: any free port).
    #[arg(long)]
    bind: Option<String>,
    /// Load the demo county into an empty store and print the demo credentials.
    #[arg(long)]
    demo: bool,
    /// With --demo: how many demo counties to load, 1 to 99 (the second, smaller one and the
    /// generated others, county-03 …, each in its own store under counties/ beside the first).
    #[arg(long)]
    counties: Option<u8>,
}

#[derive(Subcommand)]
pub(super) enum ConfigAction {
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

pub(super) fn run(args: ServeArgs) -> ExitCode {
    let ServeArgs { config, db, bind, demo, counties } = args;
    let config = match Config::load(config.as_deref()) {
        Ok(mut c) => {
            c.db = db.unwrap_or(c.db);
            c.bind = bind.unwrap_or(c.bind);
            c.demo |= demo;
            c.demo_counties = counties.unwrap_or(c.demo_counties);
            c
        }
        Err(e) => return fail(&e),
    };
    let config = match config.validate() {
        Ok(config) => config,
        Err(e) => return fail(&e),
    };
    match actix_web::rt::System::new().block_on(serve(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e.as_ref()),
    }
}

async fn serve(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let app = Application::build(config.clone()).await?;
    let scheme = if config.tls.cert_file.is_some() { "https" } else { "http" };
    println!("patrolsync-server listening on {scheme}://127.0.0.1:{} (store {})", app.port(), config.db.display());
    if config.counties().len() > 1 {
        for county in config.counties() {
            println!("county {} {}: store {}", county.code, county.name, county.config.db.display());
        }
    }
    if let Some(demo) = &app.demo {
        let password = &demo.password;
        if demo.loaded {
            println!("demo county loaded; every demo user's password is: {password}");
        } else {
            // The store's users keep the password they were given when it was loaded.
            println!("demo county not loaded: the store holds a county already, unchanged; the demo password on file is: {password}");
        }
        if config.counties().len() > 1 {
            println!("  in each county (log in naming it: --county yunshan, --county baiyun…); officials city-1 and prov-1 read them all");
        }
        println!("  e.g. village officer vo-t01-v01, township inspector ti-t01-1, county auditor ca-1, commissioner cm-1, admin admin");
    }
    println!("ready");
    app.run_until_stopped().await?;
    Ok(())
}

pub(super) fn config(action: ConfigAction) -> ExitCode {
    let ConfigAction::Check { file, print } = action;
    check_config(&file, print)
}

fn check_config(file: &Path, print: bool) -> ExitCode {
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
