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

/// What `serve --demo` found: the demo password (`PATROLSYNC_DEMO_PASSWORD`, else the
/// `demo-password` file beside the store, made at random when missing), and whether the demo county
/// was loaded now (false: the store held a county already, and nothing in it changed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoStart {
    pub password: String,
    pub loaded: bool,
}

/// Loads the demo county if the store has no units yet.
pub async fn load_demo(store: &dyn Store, db: &Path) -> Result<DemoStart, SeedError> {
    let password = demo_password(db)?;
    if store.holds_units().await? {
        return Ok(DemoStart { password, loaded: false });
    }
    load(store, &password, crate::tools::demo::county()).await?;
    Ok(DemoStart { password, loaded: true })
}

/// Loads the `i`th county of a demo deployment (`crate::tools::demo::deployment_county`: the
/// small second county, then generated ones) if the store has no units yet, its users with
/// `password` (the first county's).
pub async fn load_demo_county(store: &dyn Store, password: &str, i: usize) -> Result<(), SeedError> {
    if store.holds_units().await? {
        return Ok(());
    }
    load(store, password, crate::tools::demo::deployment_county(i)).await
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

/// The officials of a demo deployment of several counties (`codes`, in order), sharing the demo
/// users' password: a city official for each county (`city-yunshan`, `city-baiyun`,
/// `city-county-03`…), a city official who reads them all (`city-1`, the city of the demo's
/// counties) and a province official who reads every county (`prov-1`).
pub async fn demo_officials(password: &str, codes: &[String]) -> Result<Vec<OfficialEntry>, SeedError> {
    let phc = demo_hash(password).await?;
    let official = |user: String, display_name: String, role, counties: &[String]| OfficialEntry {
        user,
        display_name,
        role,
        counties: counties.to_vec(),
        password_hash: phc.clone(),
    };
    let mut officials: Vec<OfficialEntry> = codes
        .iter()
        .enumerate()
        .map(|(i, code)| {
            let (_, name) = crate::tools::demo::deployment_county_name(i);
            let zh = name.split_whitespace().next().unwrap_or_default().to_owned();
            official(format!("city-{code}"), format!("市局 ({zh})"), OfficialRole::City, std::slice::from_ref(code))
        })
        .collect();
    officials.push(official("city-1".into(), "市局".into(), OfficialRole::City, codes));
    officials.push(official("prov-1".into(), "省厅".into(), OfficialRole::Province, &[]));
    Ok(officials)
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
