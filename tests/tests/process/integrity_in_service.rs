//! Issue 11, point 8: integrity in service, through the real server process stopped and started.
//! A store rolled back to an older copy (what a damaged WAL leaves) is refused by the server at
//! start, against the checkpoint it keeps outside the database; and, were it served anyway, by
//! every phone that witnessed the longer log. A stored event edited under a running server is in
//! `api/integrity_in_service.rs`.

use anyhow::Result;
use patrolsync_tests::DEMO_PASSWORD;
use patrolsync_tests::device::{DeviceCli, write_walk};
use patrolsync_tests::raw::now_ms;
use patrolsync_tests::server::TestServer;
use std::path::Path;
use sync_protocol::ids::ZoneId;

const OFFICER: &str = "vo-t01-v01";
const HOUR: i64 = 3_600_000;

fn patrol(phone: &DeviceCli, dir: &Path, name: &str, seed: u64) -> Result<String> {
    let zone = ZoneId::new("Z-T01-V01")?;
    let track = write_walk(dir, name, &zone, now_ms() as i64 - 5 * HOUR + seed as i64 * 60_000, 30, seed)?;
    Ok(phone.record_patrol(&track, &["--findings", "--summary", "plain"])?.to_string())
}

/// Waits until the server's witness file names a log of at least the size the store holds.
fn wait_for_witness(server: &TestServer) -> Result<u64> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let size: u64 = server.open_store()?.query_row("SELECT count(*) FROM merkle_leaves", [], |r| r.get(0))?;
        let note = std::fs::read_to_string(server.dir.path().join("log-witness")).unwrap_or_default();
        if note.lines().nth(1).and_then(|l| l.parse::<u64>().ok()) == Some(size) {
            return Ok(size);
        }
        anyhow::ensure!(std::time::Instant::now() < deadline, "the witness file never reached {size}: {note:?}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

fn copy_store(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for name in ["central.db", "central.db-wal", "central.db-shm"] {
        if from.join(name).exists() {
            std::fs::copy(from.join(name), to.join(name))?;
        }
    }
    Ok(())
}

#[test]
fn a_rolled_back_store_is_refused_by_the_server_at_start_and_by_the_phone() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let mut server = TestServer::start()?;
    let officer = DeviceCli::new(dir.path().join("officer.db"));
    officer.login(&server.url(), OFFICER, DEMO_PASSWORD)?;
    officer.run(&["sync"])?;
    patrol(&officer, dir.path(), "a.gpx", 1)?;
    officer.run(&["sync"])?;
    // An older copy of the store, taken with the server stopped.
    server.kill();
    let old = dir.path().join("old");
    copy_store(server.dir.path(), &old)?;
    server.restart()?;
    patrol(&officer, dir.path(), "b.gpx", 2)?;
    patrol(&officer, dir.path(), "c.gpx", 3)?;
    officer.run(&["sync"])?;
    let witnessed = wait_for_witness(&server)?;
    server.kill();
    // The store goes back to the older copy: the last two acked patrols are gone from it.
    for name in ["central.db-wal", "central.db-shm"] {
        let _ = std::fs::remove_file(server.dir.path().join(name));
    }
    copy_store(&old, server.dir.path())?;
    let (_, said) = server.start_refused()?;
    assert!(said.contains("fewer than the") && said.contains(&witnessed.to_string()) && said.contains("log-witness"), "{said}");

    // Served anyway (the witness file moved aside), the phone that saw the longer log refuses it.
    std::fs::rename(server.dir.path().join("log-witness"), dir.path().join("log-witness.kept"))?;
    server.restart()?;
    let before = officer.status()?;
    let out = officer.output(&["sync"])?;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("服务器数据与本机见证的记录不一致") && err.contains("rolled back"), "{err}");
    let after = officer.status()?;
    assert_eq!(after["pending"], before["pending"], "nothing of the reply was applied");
    let problems = officer.json(&["problems", "--json"])?;
    assert_eq!(problems["notices"][0]["kind"], "log_refused", "{problems}");
    Ok(())
}
