//! Backup and restore while phones keep working: a backup taken while the server serves; more
//! syncs; the store destroyed; the backup restored (a new store epoch). Every phone learns the
//! server is behind it, re-sends what it lost and pulls again: every event is back exactly once,
//! and `audit verify` is clean against a checkpoint from before the backup and reports the one
//! from after it. A tampered backup and a non-empty target are refused and change nothing.

use anyhow::{Context, Result, ensure};
use patrolsync_tests::DEMO_PASSWORD;
use patrolsync_tests::device::{DeviceCli, write_walk};
use patrolsync_tests::photo::{jpeg, sha256_hex};
use patrolsync_tests::raw::now_ms;
use patrolsync_tests::server::{TestServer, server_binary};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use sync_protocol::ids::ZoneId;

const HOUR: i64 = 3_600_000;
const OFFICERS: [(&str, &str); 2] = [("vo-t01-v01", "Z-T01-V01"), ("vo-t02-v01", "Z-T02-V01")];

fn server_cmd(args: &[&str]) -> Result<(bool, String)> {
    let out = Command::new(server_binary()).args(args).output()?;
    Ok((out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))))
}

fn record(phone: &DeviceCli, dir: &Path, zone: &str, seed: u64) -> Result<String> {
    let track =
        write_walk(dir, &format!("walk-{seed}.gpx"), &ZoneId::new(zone)?, now_ms() as i64 - 6 * HOUR + seed as i64 * 60_000, 20, seed)?;
    Ok(phone.record_patrol(&track, &[])?.to_string())
}

fn checkpoint(db: &Path) -> Result<String> {
    let (ok, note) = server_cmd(&["audit", "checkpoint", "--db", db.to_str().context("path")?])?;
    ensure!(ok, "{note}");
    Ok(note)
}

fn stored_events(server: &TestServer, id: &str) -> Result<i64> {
    let id = uuid::Uuid::parse_str(id)?;
    Ok(server.open_store()?.query_row("SELECT count(*) FROM events WHERE id = ?1", [id.as_bytes().to_vec()], |r| r.get(0))?)
}

#[test]
fn after_a_restore_every_phone_resends_what_the_server_lost_and_nothing_is_lost() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let mut server = TestServer::start()?;
    let url = server.url();
    let db = server.db();
    let db_arg = db.to_str().context("path")?.to_owned();
    let mut phones = Vec::new();
    let mut patrols = Vec::new();
    for (i, (user, zone)) in OFFICERS.iter().enumerate() {
        let phone = DeviceCli::new(dir.path().join(format!("{user}.db")));
        phone.login(&url, user, DEMO_PASSWORD)?;
        phone.run(&["sync"])?;
        patrols.push(record(&phone, dir.path(), zone, 10 * i as u64 + 1)?);
        phone.run(&["sync"])?;
        phones.push(phone);
    }
    let auditor = DeviceCli::new(dir.path().join("auditor.db"));
    auditor.login(&url, "ca-1", DEMO_PASSWORD)?;
    auditor.run(&["sync"])?;
    let before_backup = dir.path().join("before.note");
    std::fs::write(&before_backup, checkpoint(&db)?)?;

    let backup = dir.path().join("backup");
    let (ok, said) = server_cmd(&["backup", "--db", &db_arg, "--to", backup.to_str().context("path")?])?;
    ensure!(ok, "{said}");
    let (refused, said) = server_cmd(&["backup", "--db", &db_arg, "--to", backup.to_str().context("path")?])?;
    assert!(!refused && said.contains("not empty"), "a backup into a non-empty folder: {said}");

    // The phones go on after the backup: these events are acked, then lost with the store.
    for (i, (phone, (_, zone))) in phones.iter().zip(OFFICERS).enumerate() {
        patrols.push(record(phone, dir.path(), zone, 10 * i as u64 + 2)?);
        patrols.push(record(phone, dir.path(), zone, 10 * i as u64 + 3)?);
        phone.run(&["sync"])?;
        assert_eq!(phone.status()?["pending"], 0);
    }
    auditor.run(&["sync"])?;
    let after_backup = dir.path().join("after.note");
    std::fs::write(&after_backup, checkpoint(&db)?)?;

    // The disk is lost.
    server.kill();
    for entry in std::fs::read_dir(server.dir.path())? {
        let path = entry?.path();
        if path.is_dir() { std::fs::remove_dir_all(&path)? } else { std::fs::remove_file(&path)? }
    }
    // A tampered backup is refused whole; a restore goes only into an empty folder.
    let tampered = dir.path().join("tampered");
    copy_dir(&backup, &tampered)?;
    let key = tampered.join("token-keys.json");
    let mut bytes = std::fs::read(&key)?;
    bytes.push(b' ');
    std::fs::write(&key, bytes)?;
    let elsewhere = dir.path().join("elsewhere");
    let (ok, said) = server_cmd(&["restore", "--from", tampered.to_str().context("path")?, "--to", elsewhere.to_str().context("path")?])?;
    assert!(!ok && said.contains("token-keys.json") && said.contains("does not match"), "{said}");
    assert!(!elsewhere.exists() || std::fs::read_dir(&elsewhere)?.next().is_none(), "nothing was restored");
    let (ok, said) = server_cmd(&["restore", "--from", backup.to_str().context("path")?, "--to", dir.path().to_str().context("path")?])?;
    assert!(!ok && said.contains("not empty"), "{said}");

    let target = server.dir.path().to_str().context("path")?.to_owned();
    let (ok, said) = server_cmd(&["restore", "--from", backup.to_str().context("path")?, "--to", &target])?;
    ensure!(ok, "{said}");
    server.restart()?;
    for id in &patrols[2..] {
        assert_eq!(stored_events(&server, id)?, 0, "{id} was acked after the backup and lost with the store");
    }

    // They come back in the other order than they first synced: the log after the backup is
    // written again differently (had they come in the same order, it would be the same log).
    for phone in phones.iter().rev() {
        let out = phone.run(&["sync"])?;
        assert!(out.contains("服务器已从备份恢复") && out.contains("2 own events sent again"), "{out}");
        assert_eq!(phone.status()?["pending"], 0);
        let problems: serde_json::Value = serde_json::from_str(&phone.run(&["problems", "--json"])?)?;
        assert_eq!(problems["notices"][0]["kind"], "restored", "{problems}");
    }
    for id in &patrols {
        assert_eq!(stored_events(&server, id)?, 1, "{id} is back exactly once");
    }
    // The auditor's cursors were past the restored store's end: it pulls again from there.
    auditor.run(&["sync"])?;
    let ledger = auditor.ledger()?.to_string();
    for id in &patrols {
        assert!(ledger.contains(id.as_str()), "the county sees {id}");
    }
    for phone in &phones {
        let out = phone.run(&["sync"])?;
        assert!(!out.contains("服务器已从备份恢复"), "a restore is noticed once: {out}");
    }

    let (ok, said) = server_cmd(&["audit", "verify", "--db", &db_arg, "--checkpoint", before_backup.to_str().context("path")?])?;
    assert!(ok, "consistent with the checkpoint from before the backup: {said}");
    let (ok, said) = server_cmd(&["audit", "verify", "--db", &db_arg, "--checkpoint", after_backup.to_str().context("path")?])?;
    assert!(!ok && said.contains("checkpoint file"), "the checkpoint from after the backup is reported: {said}");
    let (ok, said) = server_cmd(&["audit", "integrity", "--db", &db_arg])?;
    assert!(ok, "every chain whole again: {said}");
    Ok(())
}

/// Every file under `dir`, by its path inside it, with its bytes' SHA-256.
fn digest_dir(dir: &Path) -> Result<BTreeMap<String, String>> {
    let mut files = BTreeMap::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let path = entry?.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let name = path.strip_prefix(dir)?.to_string_lossy().into_owned();
                files.insert(name, sha256_hex(&std::fs::read(&path)?));
            }
        }
    }
    Ok(files)
}

#[test]
fn a_tampered_backup_and_a_non_empty_target_are_refused_and_change_nothing() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let server = TestServer::start()?;
    let (user, zone) = OFFICERS[0];
    let phone = DeviceCli::new(dir.path().join("officer.db"));
    phone.login(&server.url(), user, DEMO_PASSWORD)?;
    phone.run(&["sync"])?;
    let patrol = record(&phone, dir.path(), zone, 1)?;
    let photo = dir.path().join("photo.jpg");
    std::fs::write(&photo, jpeg(None, 20_000, 7))?;
    phone.run(&["attach", "--patrol", &patrol, "--file", photo.to_str().context("path")?])?;
    phone.run(&["sync"])?;
    let backup = dir.path().join("backup");
    let (ok, said) = server_cmd(&["backup", "--db", server.db().to_str().context("path")?, "--to", backup.to_str().context("path")?])?;
    ensure!(ok, "{said}");
    let blob = digest_dir(&backup)?.into_keys().find(|f| f.starts_with("blobs")).context("the photo is in the backup")?;

    // Each way of damaging a copy of the backup: which file, and what is done to it.
    type Damage = fn(&Path) -> std::io::Result<()>;
    let flip: Damage = |f| {
        let mut bytes = std::fs::read(f)?;
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x01;
        std::fs::write(f, bytes)
    };
    let truncate: Damage = |f| std::fs::File::options().write(true).open(f)?.set_len(100);
    let remove: Damage = |f| std::fs::remove_file(f);
    let cases: [(&str, Damage, &str); 4] = [
        ("central.db", flip, "does not match its manifest"),
        (&blob, truncate, "does not match its manifest"),
        (&blob, remove, "does not match its manifest"),
        ("manifest.json", truncate, "manifest"),
    ];
    for (i, (file, damage, says)) in cases.into_iter().enumerate() {
        let copy = dir.path().join(format!("damaged-{i}"));
        copy_dir(&backup, &copy)?;
        damage(&copy.join(file))?;
        let damaged = digest_dir(&copy)?;
        let target = dir.path().join(format!("restored-{i}"));
        let (ok, said) = server_cmd(&["restore", "--from", copy.to_str().context("path")?, "--to", target.to_str().context("path")?])?;
        assert!(!ok && said.contains(says), "{file}: {said}");
        if file != "manifest.json" {
            assert!(said.contains(file), "names the damaged file {file}: {said}");
        }
        assert!(!target.exists() || std::fs::read_dir(&target)?.next().is_none(), "{file}: nothing was restored");
        assert_eq!(digest_dir(&copy)?, damaged, "{file}: the backup itself is left as it was");
    }

    // A target folder that holds anything (here, another store) is refused and left as it was.
    let occupied = dir.path().join("occupied");
    copy_dir(server.dir.path(), &occupied)?;
    let held = digest_dir(&occupied)?;
    let (ok, said) = server_cmd(&["restore", "--from", backup.to_str().context("path")?, "--to", occupied.to_str().context("path")?])?;
    assert!(!ok && said.contains("not empty"), "{said}");
    assert_eq!(digest_dir(&occupied)?, held, "the occupied folder is unchanged");

    // The undamaged backup restores into an empty folder.
    let fresh = dir.path().join("fresh");
    let (ok, said) = server_cmd(&["restore", "--from", backup.to_str().context("path")?, "--to", fresh.to_str().context("path")?])?;
    assert!(ok, "{said}");
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()))?;
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name()))?;
        }
    }
    Ok(())
}
