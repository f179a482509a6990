//! Choosing the engine in the configuration (`[store]`): PostgreSQL is named with its connection
//! string; a database that cannot be reached is refused at start (`serve` itself on PostgreSQL is
//! `serve.rs`).

use anyhow::{Result, ensure};
use patrolsync_server::app::{Application, StartError};
use patrolsync_server::config::{Config, StoreKind};

/// The configuration of `settings` (environment variables) over the defaults, listening on a
/// free port, its files (keys, store) in `data`, never in the working folder.
fn load(data: &tempfile::TempDir, settings: &[(&str, &str)]) -> Result<Config> {
    let db = data.path().join("central.db").display().to_string();
    let get = |name: &str| match name {
        "PATROLSYNC_BIND" => Some("127.0.0.1:0".into()),
        "PATROLSYNC_DB" => Some(db.clone()),
        _ => settings.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string()),
    };
    Ok(Config::load_with(None, get)?)
}

#[tokio::test]
async fn a_postgres_store_is_named_with_its_url_and_one_out_of_reach_refused_at_start() -> Result<()> {
    let data = tempfile::tempdir()?;
    let no_url = load(&data, &[("PATROLSYNC_STORE_KIND", "postgres")]).expect_err("postgres needs its url");
    ensure!(format!("{no_url:#}").contains("store.url"), "{no_url:#}");

    let config = load(&data, &[("PATROLSYNC_STORE_KIND", "postgres"), ("PATROLSYNC_STORE_URL", "host=/nowhere dbname=patrolsync")])?;
    ensure!(config.store.kind == StoreKind::Postgres);
    let refused = Application::build(config).await.err().ok_or_else(|| anyhow::anyhow!("a store that cannot be reached was served"))?;
    ensure!(matches!(refused, StartError::Store(_)), "{refused:?}");

    let sqlite = load(&data, &[])?;
    ensure!(sqlite.store.kind == StoreKind::Sqlite && sqlite.store.url.is_none(), "SQLite is the default");
    Ok(())
}
