//! The README's walk-through, run against a test server: the GPX file is taken from the README
//! itself, and the steps are the same CLI commands, so the section cannot rot unnoticed.

use anyhow::{Context, Result};
use patrolsync_tests::DEMO_PASSWORD;
use patrolsync_tests::app::spawn_app;
use patrolsync_tests::device::DeviceCli;

/// The GPX heredoc of the README's walk-through.
fn readme_gpx() -> Result<String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))?;
    let section = readme.split("## Walk-through").nth(1).context("README has a Walk-through section")?;
    let gpx = section.split("<<'GPX'\n").nth(1).and_then(|s| s.split("\nGPX\n").next()).context("the GPX heredoc")?;
    Ok(gpx.to_owned())
}

#[test]
fn the_readme_walk_through_works() -> Result<()> {
    let server = spawn_app()?;
    let dir = tempfile::tempdir()?;
    let track = dir.path().join("walk.gpx");
    std::fs::write(&track, readme_gpx()?)?;
    let phone = DeviceCli::new(dir.path().join("phone.db"));
    let out = phone.login(&server.url(), "vo-t01-v01", DEMO_PASSWORD)?;
    assert!(out.contains("logged in (登录成功)"), "{out}");
    let out = phone.run(&["sync"])?;
    assert!(out.contains("pulled") && out.contains("0 still pending"), "{out}");
    let recorded =
        phone.output(&["record-patrol", "--track", track.to_str().context("path")?, "--summary", "river bank and the old quarry road"])?;
    let said = String::from_utf8(recorded.stderr)?;
    assert!(said.contains("does not count: 20 min in zone, below 30; 0.2 km in zone, below 1.0") && said.contains("too_short"), "{said}");
    let id: sync_protocol::ids::EventId = String::from_utf8(recorded.stdout)?.trim().parse()?;
    let out = phone.run(&["status"])?;
    assert!(out.contains("pending (待上传)           1"), "{out}");
    let out = phone.run(&["sync"])?;
    assert!(out.contains("1 accepted") && out.contains("0 rejected"), "{out}");
    let out = phone.run(&["status"])?;
    assert!(out.contains("pending (待上传)           0") && out.contains("sent (已上传)              1"), "{out}");
    let out = phone.run(&["flags"])?;
    assert!(out.contains("flags (预警): 2") && out.contains("too_short T01/T01-V01") && out.contains(&id.to_string()), "{out}");
    assert!(out.contains("not_counted T01/T01-V01") && out.contains("does not count: 20 min in zone, below 30"), "{out}");

    let office = DeviceCli::new(dir.path().join("office.db"));
    office.login(&server.url(), "ti-t01-1", DEMO_PASSWORD)?;
    office.run(&["sync"])?;
    let out = office.run(&["ledger"])?;
    assert!(out.contains(&id.to_string()) && out.contains("zone (片区) Z-T01-V01") && out.contains("3 points"), "{out}");
    assert!(out.contains("patrol ledger (巡查台帐): 1 patrols"), "{out}");
    Ok(())
}
