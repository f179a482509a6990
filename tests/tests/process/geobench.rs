//! The geometry bench's file path: a tiny generated data set written as GeoJSON and CSV, read
//! back, and every answer identical to exact point-in-polygon and to the CSV's `village_id`.

use std::process::Command;

fn run(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_patrolsync-geobench")).args(args).output().expect("run patrolsync-geobench");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{args:?} failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

#[test]
fn a_written_data_set_runs_from_files_with_no_mismatch() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path().display().to_string();
    let generated = run(&["--point-count", "3000", "--sample", "500", "--min-ms", "1", "--write-dataset", &d]);
    assert!(generated.contains("exactness: 0 of"), "{generated}");
    let villages = dir.path().join("villages.geojson");
    let points = dir.path().join("points.csv");
    let csv = std::fs::read_to_string(&points).expect("points.csv");
    assert!(csv.starts_with("track_id,seq,lon,lat,village_id\n"));
    assert_eq!(csv.lines().count(), 3001);
    let from_files = run(&[
        "--villages",
        villages.to_str().expect("path"),
        "--points",
        points.to_str().expect("path"),
        "--sample",
        "3000",
        "--min-ms",
        "1",
    ]);
    assert!(from_files.contains("134 villages"), "{from_files}");
    assert!(from_files.contains("3000 fixes"), "{from_files}");
    assert!(from_files.contains("exactness: 0 of 3000 fixes placed in another village"), "{from_files}");
    assert!(from_files.contains("(c) whole patrols"), "{from_files}");
}
