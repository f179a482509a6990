//! `patrolsync-server backup` and `restore`: the commands around `tools::backup`, with what they
//! tell the administrator.

use clap::Args;
use std::path::PathBuf;

use crate::config::{Config, StoreKind};
use crate::tools::backup::BackupError;

#[derive(Args)]
pub(super) struct BackupArgs {
    /// The server's TOML config file (for the store, blob folder and key file paths).
    #[arg(long)]
    config: Option<PathBuf>,
    /// The store's SQLite file (overrides the config). A config whose store is PostgreSQL is
    /// refused: pg_dump backs it up.
    #[arg(long)]
    db: Option<PathBuf>,
    /// The backup folder (new or empty).
    #[arg(long)]
    to: PathBuf,
}

#[derive(Args)]
pub(super) struct RestoreArgs {
    /// The backup folder.
    #[arg(long)]
    from: PathBuf,
    /// The folder to restore into (new or empty); serve it with --db NEWDIR/central.db.
    #[arg(long)]
    to: PathBuf,
    /// The server's TOML config file: a config whose store is PostgreSQL is refused (pg_restore
    /// restores it).
    #[arg(long)]
    config: Option<PathBuf>,
}

/// `backup --to DIR`: the store named by the config (or `--db`) copied while it serves; a
/// PostgreSQL store refused.
pub(super) fn backup(args: BackupArgs) -> Result<(), Box<dyn std::error::Error>> {
    let BackupArgs { config, db, to } = args;
    let to = to.as_path();
    let loaded = Config::load(config.as_deref())?;
    if db.is_none() && loaded.store.kind == StoreKind::Postgres {
        return Err(BackupError::OnPostgres("backup").into());
    }
    let config = Config { db: db.unwrap_or(loaded.db.clone()), ..loaded };
    let done = crate::tools::backup::backup(&config, to, crate::clock::system().now_ms())?;
    let m = &done.manifest;
    println!(
        "backed up {} into {}: {} files, {} bytes; log of {} entries (server sequence up to {})",
        config.db.display(),
        to.display(),
        m.files.len(),
        done.bytes,
        m.log_size,
        m.last_seq
    );
    Ok(())
}

/// `restore --from DIR --to NEWDIR`: a checked backup into an empty folder, with a new epoch; not
/// for a PostgreSQL store (the config's, or the environment's).
pub(super) fn restore(args: RestoreArgs) -> Result<(), Box<dyn std::error::Error>> {
    let RestoreArgs { from, to, config } = args;
    if Config::load(config.as_deref())?.store.kind == StoreKind::Postgres {
        return Err(BackupError::OnPostgres("restore").into());
    }
    let (from, to) = (from.as_path(), to.as_path());
    let (manifest, epoch) = crate::tools::backup::restore(from, to)?;
    println!(
        "restored the backup of {} entries into {}; new store epoch {} from server sequence {}",
        manifest.log_size,
        to.display(),
        epoch.id,
        epoch.since_seq
    );
    println!("serve it with: patrolsync-server serve --db {}", to.join("central.db").display());
    Ok(())
}
