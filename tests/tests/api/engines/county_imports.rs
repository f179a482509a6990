//! Rosters and reference data imported per county on PostgreSQL (issue 16): `roster import` and
//! `reference import --config --county` change that county's schema only, beside its servers, and
//! a bad file is refused with its problem while nothing changes in either county; `roster export`
//! and `reference export --config --county` read that county's schema, as they read a SQLite file.

use anyhow::{Context, Result};
use patrolsync_server::pool::Blocking;
use patrolsync_server::service::roster::{self, Format, Language};
use patrolsync_server::store::postgres::{Location, PostgresStore};
use patrolsync_server::tools::reference;
use patrolsync_tests::app::{demo_store, spawn_counties_on_postgres};
use patrolsync_tests::county::{path, server_ok, server_refused};
use patrolsync_tests::store_sql::StoreSql;

use super::deployment;

/// Events and users in a county's store: what an import changes.
pub(super) fn state(store: &StoreSql) -> Result<(i64, i64)> {
    Ok((store.count("SELECT count(*) FROM events", &[])?, store.count("SELECT count(*) FROM users", &[])?))
}

/// Baiyun's store, opened by the test as a server opens it.
fn baiyun_store(url: &str) -> Result<PostgresStore> {
    let at = Location { url: url.to_owned(), schema: Some("baiyun".into()) };
    Ok(PostgresStore::open(at, Default::default(), Blocking::new("test-store", 1)?)?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_into_a_county_on_postgres_change_its_schema_only() -> Result<()> {
    let app = spawn_counties_on_postgres()?;
    let url = app.store_url.clone().context("a PostgreSQL store")?;
    let dir = tempfile::tempdir()?;
    let config = deployment(dir.path(), &url, &[])?;

    // Baiyun's own files, as its administrator would bring them: its roster with one auditor
    // more, its reference data with one zone renamed.
    let store = baiyun_store(&url)?;
    let mut roster_text = String::from_utf8(roster::export(&store, Format::Csv, Language::Chinese).await?)?;
    if !roster_text.ends_with('\n') {
        roster_text.push('\n');
    }
    roster_text.push_str("人员,ca-9,Zhou Ping 周平,,,矿产股,CTY,,,,\n");
    let mut geojson: serde_json::Value = serde_json::from_str(&reference::export(&store).await?)?;
    drop(store);
    let features = geojson["features"].as_array().context("features")?;
    let zone = features.iter().position(|f| f["properties"]["kind"] == "zone").context("a zone")?;
    geojson["features"][zone]["properties"]["name"] = "Renamed Zone".into();
    let file = |name: &str| dir.path().join(name);
    let (roster_file, bad_roster) = (file("roster.csv"), file("bad-roster.csv"));
    let (reference_file, bad_file) = (file("county.geojson"), file("bad.geojson"));
    std::fs::write(&bad_roster, format!("{roster_text}人员,ca-8,Lost 迷失,,,矿产股,T99,,,,\n"))?;
    std::fs::write(&roster_file, roster_text)?;
    std::fs::write(&reference_file, serde_json::to_string(&geojson)?)?;
    geojson["features"][zone]["properties"]["name"] = serde_json::Value::Null;
    std::fs::write(&bad_file, serde_json::to_string(&geojson)?)?;

    let (yunshan, baiyun) = (app.sql()?, app.county_sql("baiyun")?);
    let (yunshan_before, baiyun_before) = (state(&yunshan)?, state(&baiyun)?);
    let cfg = path(&config)?;

    // Bad files: refused with their problems, nothing changed in either county.
    let said = server_refused(&["roster", "import", "--config", cfg, "--county", "baiyun", "--by", "admin", path(&bad_roster)?])?;
    assert!(said.contains("unknown_unit"), "the unknown unit is named: {said}");
    let said = server_refused(&["reference", "import", "--config", cfg, "--county", "baiyun", path(&bad_file)?])?;
    assert!(said.contains("properties.name") && said.contains("nothing was imported"), "the missing name is named: {said}");
    assert_eq!((state(&yunshan)?, state(&baiyun)?), (yunshan_before, baiyun_before));

    // Both imports land in Baiyun's schema, through its writer role, while its server serves.
    server_ok(&["roster", "import", "--config", cfg, "--county", "baiyun", "--by", "admin", path(&roster_file)?])?;
    server_ok(&["reference", "import", "--config", cfg, "--county", "baiyun", path(&reference_file)?])?;
    let (events, users) = state(&baiyun)?;
    assert!(events > baiyun_before.0 + 1, "events authored in baiyun");
    assert_eq!(users, baiyun_before.1 + 1, "the new auditor enrolled in baiyun");
    let store = baiyun_store(&url)?;
    assert!(reference::export(&store).await?.contains("Renamed Zone"), "the zone renamed in baiyun");
    drop(store);
    assert_eq!(baiyun.count("SELECT count(*) FROM users WHERE id = 'ca-9'", &[])?, 1);
    assert_eq!(state(&yunshan)?, yunshan_before, "yunshan's schema is untouched");
    assert_eq!(yunshan.count("SELECT count(*) FROM users WHERE id = 'ca-9'", &[])?, 0);

    // Exported from Baiyun's schema on the command line: what went in.
    let (roster_out, reference_out) = (file("roster-out.csv"), file("reference-out.geojson"));
    server_ok(&["roster", "export", "--config", cfg, "--county", "baiyun", "--chinese", "-o", path(&roster_out)?])?;
    server_ok(&["reference", "export", "--config", cfg, "--county", "baiyun", "-o", path(&reference_out)?])?;
    // The export lists people by id, so the auditor appended to the file comes back in its place.
    let rows = |text: String| {
        let mut rows: Vec<String> = text.lines().map(str::to_owned).collect();
        rows.sort_unstable();
        rows
    };
    let (exported, imported) = (rows(std::fs::read_to_string(&roster_out)?), rows(std::fs::read_to_string(&roster_file)?));
    assert_eq!(exported, imported, "baiyun's roster as imported");
    let exported: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&reference_out)?)?;
    let imported: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&reference_file)?)?;
    assert_eq!(exported, imported, "baiyun's reference data as imported");
    Ok(())
}

/// Yunshan's files exported from its PostgreSQL schema, and from the same demo county's SQLite
/// store: the same bytes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_from_a_county_on_postgres_are_those_of_sqlite() -> Result<()> {
    let app = spawn_counties_on_postgres()?;
    let url = app.store_url.clone().context("a PostgreSQL store")?;
    let dir = tempfile::tempdir()?;
    let file = |name: &str| dir.path().join(name);
    let config = deployment(dir.path(), &url, &[])?;
    let db = file("central.db");
    std::fs::write(&db, demo_store()?)?;
    let (cfg, db) = (path(&config)?, path(&db)?);
    // The roster in English and in Chinese, and the reference data.
    let exports = |at: &[&str], to: &str| -> Result<Vec<String>> {
        let (english, chinese, geojson) = (file(&format!("{to}.csv")), file(&format!("{to}-zh.csv")), file(&format!("{to}.geojson")));
        server_ok(&[&["roster", "export"], at, &["-o", path(&english)?]].concat())?;
        server_ok(&[&["roster", "export"], at, &["--chinese", "-o", path(&chinese)?]].concat())?;
        server_ok(&[&["reference", "export"], at, &["-o", path(&geojson)?]].concat())?;
        [english, chinese, geojson].iter().map(|f| Ok(std::fs::read_to_string(f)?)).collect()
    };
    let on_postgres = exports(&["--config", cfg, "--county", "yunshan"], "postgres")?;
    let on_sqlite = exports(&["--db", db], "sqlite")?;
    let geojson: serde_json::Value = serde_json::from_str(&on_postgres[2])?;
    let zones = geojson["features"].as_array().context("features")?.iter().filter(|f| f["properties"]["kind"] == "zone").count();
    assert!(zones > 0 && on_postgres[1].lines().count() > 100, "the county's zones and people exported");
    for (postgres, sqlite) in on_postgres.iter().zip(&on_sqlite) {
        assert!(postgres == sqlite, "the same file from both engines:\n{postgres}\n---\n{sqlite}");
    }
    Ok(())
}
