//! The commands that found a county and set its secrets: `init` (a county and its first admin),
//! `set-password` (a user's, from standard input) and `rotate-token-key`.

use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use sync_protocol::ids::{UnitId, UserId};

use super::{block_on, fail};
use crate::config::Config;
use crate::store::People;
use crate::store::people::PasswordHash;
use crate::store::sqlite::SqliteStore;
use crate::tools::init::{County, InitError, TIME_ZONE};

#[derive(Args)]
pub(super) struct InitArgs {
    /// The store's SQLite file (created and migrated).
    #[arg(long)]
    db: PathBuf,
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
    /// The store's SQLite file.
    #[arg(long)]
    db: PathBuf,
    /// The user id.
    #[arg(long)]
    user: String,
}

#[derive(Args)]
pub(super) struct RotateArgs {
    /// The token key file (default `token-keys.json` beside the store given with --db).
    #[arg(long, required_unless_present = "db")]
    key_file: Option<PathBuf>,
    /// The store's SQLite file, to find the key file beside it.
    #[arg(long)]
    db: Option<PathBuf>,
}

pub(super) fn init(args: InitArgs) -> ExitCode {
    let InitArgs { db, county, name, name_zh, time_zone, admin, admin_name } = args;
    let county = County { unit: county, name, name_zh, time_zone, admin, admin_name };
    let password = match read_password() {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let cost = Config::load(None).map(|c| c.auth.password).unwrap_or_default();
    let (unit, admin) = (county.unit.clone(), county.admin.clone());
    let founded = async {
        let store = SqliteStore::open(&db).map_err(InitError::Store)?;
        crate::tools::init::init(&store, county, password, cost).await?;
        println!("county {unit} founded in {}; admin {admin} can log in", db.display());
        Ok::<(), InitError>(())
    };
    block_on(founded)
}

/// The first line of standard input, without its line ending.
fn read_password() -> std::io::Result<String> {
    let mut password = String::new();
    std::io::stdin().read_line(&mut password)?;
    Ok(password.trim_end_matches(['\r', '\n']).to_owned())
}

/// A new password read from standard input, checked and hashed at the configured cost.
fn new_password_hash() -> Result<String, Box<dyn std::error::Error>> {
    let password = read_password()?;
    crate::service::auth::password::check_new_password(&password)?;
    let cost = Config::load(None).map(|c| c.auth.password).unwrap_or_default();
    Ok(crate::service::auth::password::hash(&password, cost)?)
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
    let SetPasswordArgs { db, user } = args;
    let phc = match new_password_hash() {
        Ok(phc) => phc,
        Err(e) => return fail(&*e),
    };
    let store = match SqliteStore::open(&db) {
        Ok(store) => store,
        Err(e) => return fail(&e),
    };
    let user_id = match UserId::new(&user) {
        Ok(id) => id,
        Err(e) => return fail(&e),
    };
    let password = PasswordHash { user: user_id, phc, one_time: false };
    block_on(async {
        People::reset_password(&store, None, password).await?;
        println!("password of {user} set");
        Ok::<(), crate::store::StoreError>(())
    })
}

pub(super) fn rotate_token_key(args: RotateArgs) -> ExitCode {
    let RotateArgs { key_file, db } = args;
    let path = key_file.unwrap_or_else(|| Config { db: db.unwrap_or_default(), ..Config::default() }.token_key_file());
    match crate::service::auth::keys::KeyRing::rotate(&path, crate::clock::system().now_s()) {
        Ok(kid) => {
            println!("new signing key {kid} in {}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}
