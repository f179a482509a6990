//! Issue 11, point 8: integrity in service, through the real server process stopped and started.
//! A store rolled back to an older copy (what a damaged WAL leaves) is refused by the server at
//! start, against the checkpoint it keeps outside the database; and, were it served anyway, by
//! every phone that witnessed the longer log. So is a store whose write-ahead log lost its tail
//! (the file cut at an earlier commit, as a disk's lost cache leaves it), taking acknowledged
//! events with it. A stored event edited under a running server is in
//! `api/integrity_in_service.rs`.

use anyhow::{Context, Result};
use patrolsync_tests::DEMO_PASSWORD;
use patrolsync_tests::device::{DeviceCli, write_walk};
use patrolsync_tests::raw::now_ms;
use patrolsync_tests::server::TestServer;
use rusqlite::Connection;
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

/// The end of each commit in the write-ahead log's current generation, in bytes from the file's
/// start. SQLite's WAL layout: a 32-byte header (page size at 8, salts at 16), then frames of a
/// 24-byte header (a commit frame's database size at 4, the salts at 8) and one page; frames
/// whose salts are not the header's are left from an earlier generation.
fn wal_commit_ends(wal: &[u8]) -> Vec<usize> {
    let word = |at: usize| wal.get(at..at + 4).map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize);
    let (page, salts) = (word(8), wal.get(16..24).unwrap_or_default());
    let mut ends = Vec::new();
    let mut at = 32;
    while page > 0 && at + 24 + page <= wal.len() && &wal[at + 8..at + 16] == salts {
        at += 24 + page;
        if word(at - page - 24 + 4) != 0 {
            ends.push(at);
        }
    }
    ends
}

/// The size of the tamper-evident log a copy of the store in `dir` holds with its WAL cut at `cut`.
fn leaves_with_wal_cut(dir: &Path, cut: usize) -> Result<u64> {
    let copy = tempfile::tempdir()?;
    copy_store(dir, copy.path())?;
    let _ = std::fs::remove_file(copy.path().join("central.db-shm"));
    std::fs::File::options().write(true).open(copy.path().join("central.db-wal"))?.set_len(cut as u64)?;
    Ok(Connection::open(copy.path().join("central.db"))?.query_row("SELECT count(*) FROM merkle_leaves", [], |r| r.get(0))?)
}

#[test]
fn a_wal_cut_at_an_earlier_commit_is_refused_by_the_server_at_start() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let mut server = TestServer::start()?;
    let officer = DeviceCli::new(dir.path().join("officer.db"));
    officer.login(&server.url(), OFFICER, DEMO_PASSWORD)?;
    officer.run(&["sync"])?;
    for seed in 1..=3 {
        patrol(&officer, dir.path(), &format!("{seed}.gpx"), seed)?;
        officer.run(&["sync"])?;
    }
    let witnessed = wait_for_witness(&server)?;
    // A power cut: the last commits were only in the write-ahead log, and its tail is lost. The cut
    // is the latest commit boundary at which the store no longer holds every acknowledged event.
    server.kill();
    let wal_path = server.dir.path().join("central.db-wal");
    let ends = wal_commit_ends(&std::fs::read(&wal_path)?);
    let mut cut = None;
    for end in ends.iter().rev().copied() {
        if leaves_with_wal_cut(server.dir.path(), end)? < witnessed {
            cut = Some(end);
            break;
        }
    }
    let cut = cut.with_context(|| format!("no commit of the log's last entries in the WAL ({} commits)", ends.len()))?;
    std::fs::File::options().write(true).open(&wal_path)?.set_len(cut as u64)?;
    let _ = std::fs::remove_file(server.dir.path().join("central.db-shm"));
    let (_, said) = server.start_refused()?;
    assert!(said.contains("fewer than the") && said.contains(&witnessed.to_string()) && said.contains("log-witness"), "{said}");
    Ok(())
}
