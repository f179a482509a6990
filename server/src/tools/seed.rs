//! Loading the demo county into an empty store, through the same path as any reference data: its
//! GeoJSON reference file goes through `reference_file`'s check and import (the demo's users
//! enrolled, and their password stored, in the same transaction), so devices receive their part
//! through sync. Demo users share
//! one password, made at random on first load (or taken from `PATROLSYNC_DEMO_PASSWORD`), kept
//! beside the store in `demo-password` (readable by its owner only) and printed at start.

use indicatif::ProgressBar;
use std::path::{Path, PathBuf};
use sync_protocol::body::UserEnrolled;

use crate::config::{OfficialEntry, OfficialRole};
use crate::store::people::PasswordHash;
use crate::store::{Store, StoreError};
use crate::tools::reference::{self, ImportOptions, ReferenceFileError, to_text};

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot keep the demo password in {0}")]
    PasswordFile(PathBuf, #[source] std::io::Error),
    #[error("cannot hash the demo password: {0}")]
    Hash(String),
    #[error("cannot import the demo county")]
    Import(#[from] ReferenceFileError),
}

/// Loads the demo county if the store has no units yet; returns the demo users' password.
pub async fn load_demo(store: &dyn Store, db: &Path) -> Result<String, SeedError> {
    let password = demo_password(db)?;
    if store.holds_units().await? {
        return Ok(password);
    }
    load(store, &password, crate::tools::demo::county()).await?;
    Ok(password)
}

/// Loads the small second demo county (`crate::tools::demo::small_county`) if the store has no
/// units yet, its users with `password` (the first county's).
pub async fn load_small_demo(store: &dyn Store, password: &str) -> Result<(), SeedError> {
    if store.holds_units().await? {
        return Ok(());
    }
    load(store, password, crate::tools::demo::small_county()).await
}

async fn load(store: &dyn Store, password: &str, county: crate::tools::demo::DemoCounty) -> Result<(), SeedError> {
    let text = to_text(&county.to_feature_collection()).map_err(ReferenceFileError::Encode)?;
    let users: Vec<UserEnrolled> = county.users().cloned().collect();
    let phc = demo_hash(password).await?;
    // Demo mode only: one hash shared by every demo user, so loading takes one argon2 run.
    let passwords = users.iter().map(|u| PasswordHash { user: u.user.clone(), phc: phc.clone(), one_time: false }).collect();
    // The same check and import as `patrolsync-server reference import`, enrolling the demo's
    // people and storing their password in the same transaction (a reference file carries no
    // users): a crash during the first load leaves either no county or all of it, passwords too,
    // and "loaded" (any unit stored) is true only of the second.
    reference::import(store, text, users, passwords, ImportOptions::default(), &ProgressBar::hidden()).await?;
    Ok(())
}

fn demo_password(db: &Path) -> Result<String, SeedError> {
    let file = db.with_file_name("demo-password");
    if let Ok(p) = std::env::var("PATROLSYNC_DEMO_PASSWORD")
        && !p.is_empty()
    {
        return Ok(p);
    }
    if let Ok(p) = std::fs::read_to_string(&file) {
        return Ok(p.trim().to_string());
    }
    let password = crate::service::auth::password::random_password(16);
    std::fs::write(&file, format!("{password}\n")).map_err(|e| SeedError::PasswordFile(file.clone(), e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).map_err(|e| SeedError::PasswordFile(file.clone(), e))?;
    }
    Ok(password)
}

/// The officials of the demo deployment of two counties, sharing the demo users' password: a
/// city official for each county (`city-yunshan`, `city-baiyun`) and a province official who
/// reads both (`prov-1`).
pub async fn demo_officials(password: &str) -> Result<Vec<OfficialEntry>, SeedError> {
    let phc = demo_hash(password).await?;
    let official = |user: &str, display_name: &str, role, counties: &[&str]| OfficialEntry {
        user: user.into(),
        display_name: display_name.into(),
        role,
        counties: counties.iter().map(|c| (*c).to_owned()).collect(),
        password_hash: phc.clone(),
    };
    let [(first, _), (second, _)] = crate::tools::demo::DEMO_COUNTIES;
    Ok(vec![
        official("city-yunshan", "市局 (云山县)", OfficialRole::City, &[first]),
        official("city-baiyun", "市局 (白云县)", OfficialRole::City, &[second]),
        official("prov-1", "省厅", OfficialRole::Province, &[]),
    ])
}

/// The demo password's argon2id hash at the default cost, off the async workers.
async fn demo_hash(password: &str) -> Result<String, SeedError> {
    let secret = password.to_owned();
    let cost = crate::service::auth::password::PasswordCost::default();
    tokio::task::spawn_blocking(move || crate::service::auth::password::hash(&secret, cost))
        .await
        .map_err(|e| SeedError::Hash(e.to_string()))?
        .map_err(|e| SeedError::Hash(e.to_string()))
}
