//! Rosters and reference data imported per county of a deployment of two, with the real binary:
//! `roster import` and `reference import` take `--config` and `--county` and change that county's
//! store only; a county the deployment does not hold, or none named, is refused and changes nothing.

use anyhow::Result;
use patrolsync_tests::county::{self, CountyFiles, path, server_ok, server_refused};
use std::path::Path;

/// The users of the store `db`.
fn users(db: &Path) -> Result<Vec<String>> {
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut statement = conn.prepare("SELECT id FROM users ORDER BY id")?;
    let rows = statement.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The zones of the store `db`.
fn zones(db: &Path) -> Result<i64> {
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    Ok(conn.query_row("SELECT count(*) FROM zones", [], |r| r.get(0))?)
}

#[test]
fn each_import_changes_the_county_it_names_and_no_other() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let files = CountyFiles::yunshan(dir.path())?;
    let (first, second) = (dir.path().join("central.db"), dir.path().join("counties/baiyun/central.db"));
    std::fs::create_dir_all(second.parent().unwrap_or(dir.path()))?;
    let config = dir.path().join("server.toml");
    let text = format!(
        "db = {first:?}\n[[counties]]\ncode = \"yunshan\"\ndb = {first:?}\n[[counties]]\ncode = \"baiyun\"\nname = \"白云县\"\n",
        first = path(&first)?
    );
    std::fs::write(&config, text)?;
    for db in [&first, &second] {
        let out = county::init(db)?;
        anyhow::ensure!(out.status.success(), "init {}: {}", db.display(), String::from_utf8_lossy(&out.stderr));
    }
    let (cfg, roster, reference) = (path(&config)?, path(&files.roster)?, path(&files.reference)?);
    let founded = users(&first)?;
    assert_eq!(users(&second)?, founded, "two counties founded alike");

    let said = server_refused(&["roster", "import", "--config", cfg, "--county", "elsewhere", "--by", "admin", roster])?;
    assert!(said.contains("\"elsewhere\" is not a county of this deployment"), "{said}");
    let said = server_refused(&["roster", "import", "--config", cfg, "--by", "admin", roster])?;
    assert!(said.contains("--db") || said.contains("--county"), "{said}");
    assert_eq!((users(&first)?, users(&second)?), (founded.clone(), founded.clone()), "a refused import changes nothing");

    server_ok(&["roster", "import", "--config", cfg, "--county", "baiyun", "--by", "admin", roster])?;
    server_ok(&["reference", "import", "--config", cfg, "--county", "baiyun", reference])?;
    let imported = users(&second)?;
    assert!(imported.iter().any(|u| u == "vo-t01-v01") && imported.len() > 150, "{} users in baiyun", imported.len());
    assert_eq!(zones(&second)?, 134);
    assert_eq!(users(&first)?, founded, "yunshan's store is untouched");
    assert_eq!(zones(&first)?, 0);
    Ok(())
}
