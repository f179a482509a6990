//! Hostile input through the server's command line (the other classes are in `api/hostile_input/`):
//! invalid reference files through `patrolsync-server reference import`, beside a running server
//! on the same store: each refused with its rule named, nothing imported, and a million-vertex
//! polygon refused from its vertex count before any geometry is built.

use anyhow::Result;
use patrolsync_tests::app::spawn_app;
use patrolsync_tests::server::server_binary;
use patrolsync_tests::snapshot::Snapshot;
use std::path::Path;
use std::time::{Duration, Instant};

/// A new zone in the demo's village T01-V01 with `ring` as its shell and `extra` spliced into its
/// properties.
fn zone_file(ring: &str, extra: &str) -> String {
    format!(
        r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","id":"Z-HOSTILE","geometry":{{"type":"Polygon","coordinates":[{ring}]}},"properties":{{"kind":"zone","name":"Hostile test zone","township":"T01","village":"T01-V01","valid_from":"2030-01-01T00:00:00+08:00"{extra}}}}}]}}"#
    )
}

const SQUARE: &str = "[[114.32,25.34],[114.35,25.34],[114.35,25.37],[114.32,25.37],[114.32,25.34]]";

/// A closed ring of `n` distinct vertices on a small circle.
fn circle(n: usize) -> String {
    let point = |i: usize| {
        let a = (i % n) as f64 / n as f64 * std::f64::consts::TAU;
        format!("[{:.7},{:.7}]", 114.335 + 0.01 * a.cos(), 25.355 + 0.01 * a.sin())
    };
    format!("[{}]", (0..=n).map(point).collect::<Vec<_>>().join(","))
}

/// Runs the import; returns whether it succeeded and its standard error.
fn import(db: &Path, file: &Path, dry_run: bool) -> Result<(bool, String)> {
    let mut cmd = std::process::Command::new(server_binary());
    cmd.args(["reference", "import", "--db"]).arg(db);
    if dry_run {
        cmd.arg("--dry-run");
    }
    let out = cmd.arg(file).output()?;
    Ok((out.status.success(), String::from_utf8_lossy(&out.stderr).to_string()))
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_reference_files_are_refused_with_their_rule_and_import_nothing() -> Result<()> {
    let server = spawn_app()?;
    let dir = tempfile::tempdir()?;
    let bow_tie = "[[114.32,25.34],[114.35,25.37],[114.35,25.34],[114.32,25.37],[114.32,25.34]]";
    let unclosed = "[[114.32,25.34],[114.35,25.34],[114.35,25.37],[114.32,25.37],[114.32,25.35]]";
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("an unclosed ring", zone_file(unclosed, "").into_bytes(), "ring_not_closed"),
        ("a self-intersecting bow-tie", zone_file(bow_tie, "").into_bytes(), "self_intersection"),
        ("latitude 91°", zone_file(&SQUARE.replacen("25.37", "91.0", 1), "").into_bytes(), "out_of_range"),
        ("longitude and latitude swapped", zone_file(&SQUARE.replace("[114.32,25.34]", "[25.34,114.32]"), "").into_bytes(), "out_of_range"),
        ("NaN coordinate", zone_file(&SQUARE.replacen("114.35", "NaN", 1), "").into_bytes(), "not_json"),
        ("1e400 coordinate", zone_file(&SQUARE.replacen("114.35", "1e400", 1), "").into_bytes(), "not_json"),
        ("deep nesting: 100,000 [", "[".repeat(100_000).into_bytes(), "not_json"),
        ("lone surrogate in a name", zone_file(SQUARE, "").replace("Hostile", r"\ud800").into_bytes(), "not_json"),
        ("duplicate key in the properties", zone_file(SQUARE, r#","name":"Second name""#).into_bytes(), "not_json"),
        ("unknown property", zone_file(SQUARE, r#","colour":"red""#).into_bytes(), "unknown_property"),
        (
            "a 10 MB name",
            zone_file(SQUARE, "").replace("Hostile test zone", &"n".repeat(10 * 1024 * 1024)).into_bytes(),
            "invalid_property",
        ),
        ("invalid UTF-8", [zone_file(SQUARE, "").as_bytes(), b"\xFF"].concat(), "UTF-8"),
    ];
    let before = Snapshot::of(&server)?;
    let file = dir.path().join("county.geojson");
    for (class, bytes, rule) in &cases {
        std::fs::write(&file, bytes)?;
        let (ok, stderr) = import(&server.db(), &file, false)?;
        assert!(
            !ok && stderr.contains(rule),
            "{class}: expected a refusal naming {rule}, got ok={ok}: {}",
            &stderr[..stderr.len().min(500)]
        );
        assert!(Snapshot::of(&server)?.changes_since(&before).is_empty(), "{class}: the store changed");
    }
    // A million vertices: refused from the count, in seconds, with nothing built or written.
    std::fs::write(&file, zone_file(&circle(1_000_000), ""))?;
    let started = Instant::now();
    let (ok, stderr) = import(&server.db(), &file, false)?;
    let took = started.elapsed();
    assert!(!ok && stderr.contains("too_many_vertices"), "{stderr}");
    assert!(took < Duration::from_secs(15), "a million vertices took {took:?} to refuse");
    eprintln!("a million-vertex polygon ({} MB) was refused in {took:?}", std::fs::metadata(&file)?.len() / 1_000_000);
    // A file over the size cap is refused before it is read.
    std::fs::File::create(&file)?.set_len(300 * 1024 * 1024)?;
    let (ok, stderr) = import(&server.db(), &file, false)?;
    assert!(!ok && stderr.contains("larger than"), "{stderr}");
    assert!(Snapshot::of(&server)?.changes_since(&before).is_empty());
    // The same zone, well formed, passes the check: the refusals above were about the defects.
    std::fs::write(&file, zone_file(SQUARE, ""))?;
    let (ok, stderr) = import(&server.db(), &file, true)?;
    assert!(ok, "{stderr}");
    Ok(())
}
