//! `patrolsync-server backup` and `restore`: the commands around `tools::backup`, with what they
//! tell the administrator.

use std::path::{Path, PathBuf};

use crate::config::Config;

/// `backup --to DIR`: the store named by the config (or `--db`) copied while it serves.
pub fn backup(config: Option<&Path>, db: Option<PathBuf>, to: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let loaded = Config::load(config)?;
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

/// `restore --from DIR --to NEWDIR`: a checked backup into an empty folder, with a new epoch.
pub fn restore(from: &Path, to: &Path) -> Result<(), Box<dyn std::error::Error>> {
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
