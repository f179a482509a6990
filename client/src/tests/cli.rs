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
    assert_eq!((ledger.patrols.len(), ledger.patrols[0].track_points, ledger.patrols[0].summary.as_str()), (1, 2, "river"));
    cli(&f, &["status", "--json"]).expect("status");
    cli(&f, &["ledger"]).expect("ledger");
}
