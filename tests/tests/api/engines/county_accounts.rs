//! The tools that found a county and set its secrets, on PostgreSQL (issue 16): `init`,
//! `set-password` and `rotate-token-key` name the store as the audits and imports do (`--config`,
//! with `--county`, or for `init` `--in-county`), and change what the deployment's servers serve.

use anyhow::{Context, Result, ensure};
use argon2::{Argon2, PasswordHash, PasswordVerifier};
use patrolsync_tests::DEMO_PASSWORD;
use patrolsync_tests::app::spawn_counties_on_postgres;
use patrolsync_tests::county::{path, server_ok, server_said as run};
use patrolsync_tests::raw::RawDevice;
use patrolsync_tests::store_sql::StoreSql;

use super::county_imports::state;
use super::deployment;

/// Whether `password` is the one whose hash `user` has in `store`.
fn has_password(store: &StoreSql, user: &str, password: &str) -> Result<bool> {
    let phc: String = store.value("SELECT password_hash FROM users WHERE id = ?1", &[user.into()])?;
    let phc = PasswordHash::new(&phc).map_err(|e| anyhow::anyhow!("{user}'s hash: {e}"))?;
    Ok(Argon2::default().verify_password(password.as_bytes(), &phc).is_ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_set_password_and_rotate_token_key_work_on_a_county_of_postgres() -> Result<()> {
    let app = spawn_counties_on_postgres()?;
    let url = app.store_url.clone().context("a PostgreSQL store")?;
    // The deployment's config beside the running servers' store: its `db`, and so its token key.
    let config = deployment(app.dir.path(), &url, &["linshan"])?;
    let cfg = path(&config)?;
    let (yunshan, baiyun) = (app.sql()?, app.county_sql("baiyun")?);
    let before = (state(&yunshan)?, state(&baiyun)?);

    // `init` founds a county in a schema of its own, made and migrated; nothing else changes.
    let init = ["init", "--config", cfg, "--in-county", "linshan", "--county", "CTY", "--name", "Linshan County", "--name-zh", "临山县"];
    let (ok, said) = run(&init, "linshan admin 1\n")?;
    ensure!(ok, "init on postgres: {said}");
    assert!(said.contains("county linshan"), "says where it founded the county: {said}");
    let linshan = app.county_sql("linshan")?;
    assert_eq!(state(&linshan)?, (2, 2), "two events, the county's unit and its admin; the admin and the server's own user");
    assert!(has_password(&linshan, "admin", "linshan admin 1")?, "the admin's password as given");
    let (ok, said) = run(&init, "linshan admin 1\n")?;
    assert!(!ok, "a second init of the same county is refused: {said}");
    assert_eq!((state(&yunshan)?, state(&baiyun)?, state(&linshan)?), (before.0, before.1, (2, 2)));

    // `set-password` in Baiyun's schema, while its server serves: the next login takes the new
    // password, and the old one no longer.
    let user = "vo-t12-v01";
    let (ok, said) = run(&["set-password", "--config", cfg, "--county", "baiyun", "--user", user], "a new password 2\n")?;
    ensure!(ok, "set-password on postgres: {said}");
    assert!(has_password(&baiyun, user, "a new password 2")?);
    let mut phone = RawDevice::new(&app.url(), user)?;
    phone.county = Some("baiyun".into());
    assert!(phone.login(DEMO_PASSWORD).await.is_err(), "the old password refused");
    phone.login("a new password 2").await.context("the new password")?;
    assert_eq!(state(&yunshan)?, before.0, "yunshan unchanged");
    let (ok, said) = run(&["set-password", "--config", cfg, "--county", "baiyun", "--user", user], "short\n")?;
    assert!(!ok && said.contains("refused"), "a too short password is refused: {said}");
    assert!(has_password(&baiyun, user, "a new password 2")?, "and changes nothing");

    // `rotate-token-key --config`: the key file the deployment's servers read, found from the
    // config as `serve` finds it.
    let (old_kid, _) = app.token_key()?;
    let said = server_ok(&["rotate-token-key", "--config", cfg])?;
    let (new_kid, _) = app.token_key()?;
    assert_ne!(new_kid, old_kid, "{said}");
    assert!(said.contains(&new_kid), "{said}");
    Ok(())
}
