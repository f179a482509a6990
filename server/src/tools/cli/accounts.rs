//! The commands that found a county and set its secrets: `init` (a county and its first admin),
//! `set-password` (a user's, from standard input) and `rotate-token-key`.

use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use sync_protocol::ids::{UnitId, UserId};

use super::{NamedStore, fail, with_store};
use crate::config::Config;
use crate::service::auth::password::{PasswordError, check_new_password, hash};
use crate::store::people::PasswordHash;
use crate::store::{People, StoreError};
use crate::tools::init::{County, InitError, TIME_ZONE};

#[derive(Args)]
pub(super) struct InitArgs {
    /// The store's SQLite file (created and migrated).
    #[arg(long, required_unless_present = "config", conflicts_with = "config")]
    db: Option<PathBuf>,
    /// The server's TOML config file: the county's store as `serve --config` opens it (a SQLite
    /// file, or on PostgreSQL a schema of `[store] url`, created and migrated), and the password
    /// cost of its `[auth]`.
    #[arg(long)]
    config: Option<PathBuf>,
    /// With --config: the county of the deployment (its `[[counties]]` code) whose store `init`
    /// founds; `--county` names the county's unit.
    #[arg(long, requires = "config")]
    in_county: Option<String>,
    /// The county's unit id, e.g. CTY.
    #[arg(long)]
    county: UnitId,
    /// The county's name in pinyin or English.
    #[arg(long)]
    name: String,
    /// The county's name in Chinese (县名).
    #[arg(long)]
    name_zh: String,
    /// The county's time zone.
    #[arg(long, default_value = TIME_ZONE)]
    time_zone: String,
    /// The first admin's user id.
    #[arg(long, default_value = "admin")]
    admin: UserId,
    /// The first admin's display name.
    #[arg(long, default_value = "System Administrator 系统管理员")]
    admin_name: String,
}

#[derive(Args)]
pub(super) struct SetPasswordArgs {
    #[command(flatten)]
    store: NamedStore,
    /// The user id.
    #[arg(long)]
    user: String,
}

#[derive(Args)]
pub(super) struct RotateArgs {
    /// The token key file (default: the one `serve` reads: `[auth] token_key_file` of --config, or
    /// `token-keys.json` beside the store given with --db or the config's `db`).
    #[arg(long, required_unless_present_any = ["db", "config"])]
    key_file: Option<PathBuf>,
    /// The store's SQLite file, to find the key file beside it.
    #[arg(long, conflicts_with = "config")]
    db: Option<PathBuf>,
    /// The server's TOML config file (with the PATROLSYNC_* variables over it), to find the
    /// deployment's key file as `serve` does, whichever the store's engine.
    #[arg(long)]
    config: Option<PathBuf>,
}

/// Why `set-password` failed.
#[derive(Debug, thiserror::Error)]
enum SetPasswordError {
    #[error("the password is refused: {0}")]
    Password(#[from] PasswordError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub(super) fn init(args: InitArgs) -> ExitCode {
    let InitArgs { db, config, in_county, county, name, name_zh, time_zone, admin, admin_name } = args;
    let store = NamedStore { db, config, county: in_county };
    let county = County { unit: county, name, name_zh, time_zone, admin, admin_name };
    let password = match read_password() {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let (unit, admin, place) = (county.unit.clone(), county.admin.clone(), store.describe());
    with_store(store, |store, config| async move {
        crate::tools::init::init(&*store, county, password, config.auth.password).await?;
        println!("county {unit} founded in {place}; admin {admin} can log in");
        Ok::<(), InitError>(())
    })
}

/// The first line of standard input, without its line ending.
fn read_password() -> std::io::Result<String> {
    let mut password = String::new();
    std::io::stdin().read_line(&mut password)?;
    Ok(password.trim_end_matches(['\r', '\n']).to_owned())
}

/// A new password read from standard input, checked and hashed at the cost the environment
/// sets (`PATROLSYNC_AUTH_PASSWORD_*`, else the default).
fn new_password_hash() -> Result<String, Box<dyn std::error::Error>> {
    let password = read_password()?;
    check_new_password(&password)?;
    let cost = Config::load(None).map(|c| c.auth.password).unwrap_or_default();
    Ok(hash(&password, cost)?)
}

/// `hash-password`: prints the argon2id hash of the password on standard input, for an
/// `[[officials]]` entry's `password_hash`.
pub(super) fn hash_password() -> ExitCode {
    match new_password_hash() {
        Ok(phc) => {
            println!("{phc}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(&*e),
    }
}

pub(super) fn set_password(args: SetPasswordArgs) -> ExitCode {
    let SetPasswordArgs { store, user } = args;
    let user_id = match UserId::new(&user) {
        Ok(id) => id,
        Err(e) => return fail(&e),
    };
    // Read and checked before the store is opened: a refused password changes nothing.
    let password = match read_password() {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    if let Err(e) = check_new_password(&password) {
        return fail(&SetPasswordError::Password(e));
    }
    with_store(store, |store, config| async move {
        let phc = hash(&password, config.auth.password)?;
        People::reset_password(&*store, None, PasswordHash { user: user_id, phc, one_time: false }).await?;
        println!("password of {user} set");
        Ok::<(), SetPasswordError>(())
    })
}

pub(super) fn rotate_token_key(args: RotateArgs) -> ExitCode {
    let RotateArgs { key_file, db, config } = args;
    let path = match (key_file, config) {
        (Some(path), _) => path,
        (None, Some(config)) => match Config::load(Some(&config)) {
            Ok(config) => config.token_key_file(),
            Err(e) => return fail(&e),
        },
        (None, None) => Config { db: db.unwrap_or_default(), ..Config::default() }.token_key_file(),
    };
    match crate::service::auth::keys::KeyRing::rotate(&path, crate::clock::system().now_s()) {
        Ok(kid) => {
            println!("new signing key {kid} in {}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}
