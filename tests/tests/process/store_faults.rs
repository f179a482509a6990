//! A store that cannot be written is visible: on a full disk (a small tmpfs, mounted by the test)
//! and on a read-only database file, a push is answered `503`, the server's log names the cause,
//! and `/readyz` fails while the writer cannot commit; once the disk has room again, the device's
//! re-sent events are stored, each exactly once, and nothing acknowledged before is lost.
//!
//! Both need root (CI runs as root): the tmpfs is mounted, the file made immutable (`chattr +i`,
//! which stops root too). Where that is impossible the test says so and skips.

use anyhow::{Context, Result, bail};
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::server::TestServer;
use patrolsync_tests::{DEMO_PASSWORD, tracks};
use reqwest::StatusCode;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use sync_protocol::event::Event;
use sync_protocol::ids::ZoneId;
use sync_protocol::wire::AckStatus;

/// A tmpfs mounted for the test's life.
struct Tmpfs(PathBuf);

impl Tmpfs {
    /// Mounts a tmpfs of `size` (e.g. `48m`); `None`, with the reason printed, where mounting is
    /// impossible (not root, no mount permission in a container).
    fn mount(size: &str) -> Option<Tmpfs> {
        let dir = std::env::temp_dir().join(format!("patrolsync-tmpfs-{}-{}", std::process::id(), now_ms()));
        std::fs::create_dir_all(&dir).ok()?;
        let out = Command::new("mount").args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"]).arg(&dir).output();
        match out {
            Ok(out) if out.status.success() => Some(Tmpfs(dir)),
            Ok(out) => {
                eprintln!("SKIPPED: cannot mount a tmpfs here ({}); run as root", String::from_utf8_lossy(&out.stderr).trim());
                let _ = std::fs::remove_dir(&dir);
                None
            }
            Err(e) => {
                eprintln!("SKIPPED: cannot run mount ({e})");
                let _ = std::fs::remove_dir(&dir);
                None
            }
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        let _ = std::fs::remove_dir(&self.0);
    }
}

/// Writes a file until the file system is full; returns its path.
fn fill(dir: &Path) -> Result<PathBuf> {
    let path = dir.join("filler");
    let mut file = std::fs::File::create(&path)?;
    for chunk in [1 << 20, 4096, 512] {
        let block = vec![0x5a_u8; chunk];
        while file.write_all(&block).and_then(|()| file.flush()).is_ok() {}
    }
    Ok(path)
}

async fn readyz(url: &str) -> Result<(StatusCode, serde_json::Value)> {
    let response = reqwest::get(format!("{url}/readyz")).await?;
    Ok((response.status(), response.json().await?))
}

/// Pushes `events` once: the statuses of their acks, or the HTTP status when refused.
async fn push(d: &mut RawDevice, events: &[Event]) -> Result<std::result::Result<Vec<AckStatus>, (StatusCode, String)>> {
    let raw: Vec<serde_json::Value> = events.iter().map(serde_json::to_value).collect::<Result<_, _>>()?;
    let body = serde_json::json!({ "events": raw, "cursors": {}, "limit": 1, "hlc": d.hlc });
    let (status, reply) = d.post("/v1/sync", &serde_json::to_vec(&body)?).await?;
    if status != StatusCode::OK {
        return Ok(Err((status, String::from_utf8_lossy(&reply).into_owned())));
    }
    let reply: serde_json::Value = serde_json::from_slice(&reply)?;
    let acks = reply["acks"].as_array().context("acks")?;
    Ok(Ok(acks.iter().map(|a| serde_json::from_value(a["status"].clone())).collect::<Result<_, _>>()?))
}

fn stored_events_of(server: &TestServer, d: &RawDevice) -> Result<i64> {
    let conn = server.open_store()?;
    Ok(conn.query_row("SELECT count(*) FROM events WHERE device_id = ?1", [d.device.0.as_bytes().to_vec()], |r| r.get(0))?)
}

fn log_names(server: &TestServer, cause: &str) -> bool {
    server.output().iter().any(|l| l.contains("cannot commit") && l.contains(cause))
}

#[tokio::test]
async fn a_full_disk_is_named_fails_readiness_and_loses_nothing() -> Result<()> {
    let Some(disk) = Tmpfs::mount("48m") else { return Ok(()) };
    let server = TestServer::start_in(tempfile::tempdir_in(&disk.0)?, &[("RUST_LOG", "warn,patrolsync_server::store=info")])?;
    let url = server.url();
    let mut d = RawDevice::new(&url, "vo-t01-v01")?;
    d.login(DEMO_PASSWORD).await?;
    assert_eq!(readyz(&url).await?.0, StatusCode::OK);
    let zone = ZoneId::new("Z-T01-V01")?;
    let start = now_ms() as i64 - 30 * 86_400_000;
    let first = d.seal(&tracks::patrol(&zone, start, 50, 1));
    assert_eq!(push(&mut d, std::slice::from_ref(&first)).await?, Ok(vec![AckStatus::Accepted]));

    let filler = fill(&disk.0)?;
    // Long patrols until the log outgrows the space SQLite already holds.
    let mut unacked = Vec::new();
    let mut refused = None;
    for i in 0..400 {
        let event = d.seal(&tracks::patrol(&zone, start + (i + 1) * 3_600_000, 1_000, i as u64 + 2));
        unacked.push(event);
        match push(&mut d, &unacked).await? {
            Ok(acks) if acks.iter().all(|s| *s == AckStatus::Accepted) => unacked.clear(),
            Ok(acks) => bail!("unexpected acks {acks:?}"),
            Err(answer) => {
                refused = Some(answer);
                break;
            }
        }
    }
    let (status, body) = refused.context("the disk never filled")?;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    let (ready, why) = readyz(&url).await?;
    assert_eq!(ready, StatusCode::SERVICE_UNAVAILABLE, "{why} after {body}: {:?}", server.output());
    assert_eq!(why["error"]["code"], "not_ready");
    assert!(why["error"]["message"].as_str().unwrap_or_default().contains("disk_full"), "{why}");
    patrolsync_tests::device::wait_for("the log to name the full disk", std::time::Duration::from_secs(5), || {
        Ok(log_names(&server, "disk_full"))
    })?;
    let (_, metrics) = (0, reqwest::get(format!("{url}/metrics")).await?.text().await?);
    assert!(metrics.contains(r#"patrolsync_writer_commits_total{outcome="disk_full"}"#), "{metrics}");

    std::fs::remove_file(filler)?;
    assert_eq!(push(&mut d, &unacked).await?.map(|acks| acks.len()), Ok(unacked.len()), "the re-sent events are stored");
    assert_eq!(readyz(&url).await?.0, StatusCode::OK, "ready again once a commit succeeds");
    assert!(server.output().iter().any(|l| l.contains("commits again")), "{:?}", server.output());
    let sealed = d.next_seq as i64 - 1;
    assert_eq!(stored_events_of(&server, &d)?, sealed, "every sealed event stored once, the acked ones kept");
    Ok(())
}

/// `chattr` on `path`; false (with the reason printed) where the file system does not allow it.
fn chattr(flag: &str, path: &Path) -> bool {
    match Command::new("chattr").arg(flag).arg(path).output() {
        Ok(out) if out.status.success() => true,
        Ok(out) => {
            eprintln!("SKIPPED: cannot chattr {flag} here ({})", String::from_utf8_lossy(&out.stderr).trim());
            false
        }
        Err(e) => {
            eprintln!("SKIPPED: cannot run chattr ({e})");
            false
        }
    }
}

/// Makes a file immutable for the guard's life.
struct Immutable(PathBuf);

impl Drop for Immutable {
    fn drop(&mut self) {
        chattr("-i", &self.0);
    }
}

#[tokio::test]
async fn a_read_only_store_is_named_and_fails_readiness() -> Result<()> {
    let mut server = TestServer::start()?;
    let mut d = RawDevice::new(&server.url(), "vo-t01-v01")?;
    d.login(DEMO_PASSWORD).await?;
    let zone = ZoneId::new("Z-T01-V01")?;
    let acked = d.seal(&tracks::patrol(&zone, now_ms() as i64 - 7_200_000, 20, 1));
    assert_eq!(push(&mut d, &[acked]).await?, Ok(vec![AckStatus::Accepted]));

    server.kill();
    if !chattr("+i", &server.db()) {
        return Ok(());
    }
    let _guard = Immutable(server.db());
    server.restart()?;
    let url = server.url();
    assert_eq!(reqwest::get(format!("{url}/healthz")).await?.status(), StatusCode::OK, "it still reads");
    let (ready, why) = readyz(&url).await?;
    assert_eq!(ready, StatusCode::SERVICE_UNAVAILABLE, "{why}");
    assert!(why["error"]["message"].as_str().unwrap_or_default().contains("read_only"), "{why}");
    let next = d.seal(&tracks::patrol(&zone, now_ms() as i64 - 3_600_000, 20, 2));
    let answer = push(&mut d, &[next]).await?;
    assert!(matches!(&answer, Err((StatusCode::SERVICE_UNAVAILABLE, _))), "{answer:?}");
    assert!(log_names(&server, "read_only"), "{:?}", server.output());
    assert_eq!(stored_events_of(&server, &d)?, 1, "the acknowledged event is still there");
    Ok(())
}
