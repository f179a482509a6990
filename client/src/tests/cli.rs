//! The CLI over a replica file: a good track records a patrol; bad input is an error (exit 1 in
//! the binary) and leaves the replica unchanged.

use clap::Parser;

use super::fixture::Fixture;
use crate::cli::{Cli, run};

fn cli(f: &Fixture, args: &[&str]) -> anyhow::Result<()> {
    let path = f.path();
    let mut argv = vec!["patrol-device", "--replica", path.to_str().expect("utf8 path")];
    argv.extend_from_slice(args);
    run(Cli::try_parse_from(argv)?)
}

#[test]
fn record_patrol_from_a_file_and_refuse_bad_input_without_writing() {
    let f = Fixture::new();
    let good = f.dir.path().join("walk.geojson");
    std::fs::write(&good, r#"{"type":"Feature","properties":{"times":[1764115200000,1764115260000]},"geometry":{"type":"LineString","coordinates":[[114.5,25.5],[114.501,25.501]]}}"#).expect("write");
    let bad = f.dir.path().join("bad.geojson");
    std::fs::write(&bad, r#"{"type":"Feature","properties":{"times":[1764115200000,1764115260000]},"geometry":{"type":"LineString","coordinates":[[114.5,25.5],[114.501,125.501]]}}"#).expect("write");

    let err = cli(&f, &["record-patrol", "--track", bad.to_str().expect("path"), "--zone", "Z-T01-V01"]).expect_err("lat 125");
    assert!(format!("{err:#}").contains("point 1"), "{err:#}");
    assert!(cli(&f, &["record-patrol", "--track", good.to_str().expect("path"), "--zone", "bad zone"]).is_err());
    assert!(cli(&f, &["zero-report", "--week", "2026-W60"]).is_err());
    assert!(cli(&f, &["report-finding", "--patrol", "nope", "--kind", "other", "--lon", "1", "--lat", "1", "--description", "x"]).is_err());
    assert_eq!(f.replica.event_count().expect("count"), 0);

    cli(&f, &["record-patrol", "--track", good.to_str().expect("path"), "--zone", "Z-T01-V01", "--summary", "river"]).expect("record");
    let ledger = f.replica.ledger().expect("ledger");
    assert_eq!((ledger.patrols.len(), ledger.patrols[0].track_points, ledger.patrols[0].row.summary.as_str()), (1, 2, "river"));
    cli(&f, &["status", "--json"]).expect("status");
    cli(&f, &["ledger"]).expect("ledger");
}

#[test]
fn record_patrol_and_finding_in_gcj02_with_mock_fixes() {
    use sync_protocol::body::PatrolRecorded;
    use sync_protocol::gcj02::wgs84_to_gcj02;

    let f = Fixture::new();
    let (lon, lat) = wgs84_to_gcj02(114.5, 25.5);
    let walk = f.dir.path().join("amap.geojson");
    let feature = format!(
        r#"{{"type":"Feature","properties":{{"times":[1764115200000,1764115260000]}},"geometry":{{"type":"LineString","coordinates":[[{lon:.9},{lat:.9}],[{lon:.9},{lat:.9}]]}}}}"#
    );
    std::fs::write(&walk, feature).expect("write");
    let path = walk.to_str().expect("path");
    let too_many = cli(&f, &["record-patrol", "--track", path, "--zone", "Z-T01-V01", "--mock-fixes", "3"]).expect_err("3 of 2");
    assert!(format!("{too_many:#}").contains("--mock-fixes 3"), "{too_many:#}");
    assert!(cli(&f, &["record-patrol", "--track", path, "--zone", "Z-T01-V01", "--crs", "bd09"]).is_err());
    assert_eq!(f.replica.event_count().expect("count"), 0);

    cli(&f, &["record-patrol", "--track", path, "--zone", "Z-T01-V01", "--crs", "gcj02", "--mock-fixes", "1"]).expect("record");
    let db = rusqlite::Connection::open(f.path()).expect("open");
    let raw: String = db.query_row("SELECT raw FROM events WHERE kind = 'patrol.recorded'", [], |r| r.get(0)).expect("event");
    let event: serde_json::Value = serde_json::from_str(&raw).expect("json");
    let mut body = event["body"].clone();
    body.as_object_mut().expect("body object").remove("v"); // the body's version, not a field
    let body: PatrolRecorded = serde_json::from_value(body).expect("body");
    assert_eq!(body.mock_fixes, 1);
    assert!((body.track[0].lon - 1_145_000_000).abs() <= 1 && (body.track[0].lat - 255_000_000).abs() <= 1, "{:?}", body.track[0]);

    let patrol = f.replica.projection().expect("projection").patrols.into_keys().next().expect("patrol").to_string();
    let (lon, lat) = (format!("{lon:.9}"), format!("{lat:.9}"));
    cli(
        &f,
        &["report-finding", "--patrol", &patrol, "--kind", "other", "--lon", &lon, "--lat", &lat, "--crs", "gcj02", "--description", "x"],
    )
    .expect("finding");
    let finding = f.replica.projection().expect("projection").findings.into_values().next().expect("finding");
    assert!((finding.location.lon - 1_145_000_000).abs() <= 1 && (finding.location.lat - 255_000_000).abs() <= 1, "{:?}", finding.location);
}

/// A mistyped replica path is named and left alone; only a login makes a replica, and a login that
/// fails leaves none behind.
#[test]
fn only_a_login_makes_a_replica_and_a_failed_one_leaves_none() {
    let dir = tempfile::tempdir().expect("tempdir");
    let typo = dir.path().join("phnoe.db");
    let path = typo.to_str().expect("utf8 path");
    let err = run(Cli::try_parse_from(["patrol-device", "--replica", path, "status"]).expect("args")).expect_err("no replica");
    assert!(format!("{err:#}").contains(&format!("no replica at {path}")), "{err:#}");
    assert!(!typo.exists(), "status made no replica");
    // Nothing listens on port 9 of this host: the login fails.
    let login = ["patrol-device", "--replica", path, "login", "--server", "http://127.0.0.1:9", "--user", "vo-t01-v01", "--password", "x"];
    assert!(run(Cli::try_parse_from(login).expect("args")).is_err());
    let left: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").flatten().map(|e| e.file_name()).collect();
    assert!(left.is_empty(), "a failed login left {left:?}");
}
