//! A whole county put into service as its administrator does it, with the real binaries and
//! docs/operations.md's commands: `init` (the admin's password on standard input), the roster
//! (花名册, XLSX with Chinese headings), the reference GeoJSON, `serve` over HTTPS with the county's
//! own CA; the admin issues one-time passwords, the officer and the inspector log in with the CA
//! file and replace them, record and sync, with evidence; a backup while serving; more syncs; the
//! disk lost; `restore` into a new folder and serve it; the phones re-send what it lost. Nothing is
//! lost: every event each phone holds is on the server exactly once, every photo's bytes too, and
//! the audits are clean (and honest about the checkpoint taken after the backup).

use anyhow::{Context, Result, ensure};
use patrolsync_tests::county::{self, ADMIN_PASSWORD, CountyFiles, HEAD_ZH, path, server_ok, server_refused};
use patrolsync_tests::device::{DeviceCli, replica_ids, write_walk};
use patrolsync_tests::photo::{jpeg, sha256_hex};
use patrolsync_tests::pki::CountyPki;
use patrolsync_tests::raw::now_ms;
use patrolsync_tests::server::TestServer;
use patrolsync_tests::tracks::zone_centre_degrees;
use std::path::Path;
use sync_protocol::ids::ZoneId;

const OFFICER: &str = "vo-t01-v01";
const ZONE: &str = "Z-T01-V01";
const INSPECTOR: &str = "ti-t01-1";
const HOUR: i64 = 3_600_000;

/// A phone of the county: its replica, and the user on it.
struct Phone {
    cli: DeviceCli,
    user: &'static str,
}

/// The admin issues `user` a one-time password; `user`'s new phone logs in with it and the county
/// CA, and replaces it with their own at once.
fn first_login(admin: &DeviceCli, dir: &Path, url: &str, pki: &CountyPki, user: &'static str) -> Result<Phone> {
    let reply: serde_json::Value = serde_json::from_str(&admin.run(&["admin", "reset-password", "--user", user])?)?;
    let otp = reply["one_time_password"].as_str().context("a one-time password")?;
    let cli = DeviceCli::new(dir.join(format!("{user}.db")));
    let login = ["login", "--server", url, "--ca-file", pki.ca_file()?, "--user", user, "--password-stdin"];
    let out = cli.output_with_input(&login, &format!("{otp}\n{user}'s own password\n"))?;
    ensure!(out.status.success(), "{user} logs in: {}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("password changed (密码已修改)"));
    cli.run(&["sync"])?;
    Ok(Phone { cli, user })
}

/// The officer records a patrol of their zone with a finding and a photo of it, offline; returns
/// the finding's id and the photo's SHA-256.
fn patrol_with_photo(officer: &DeviceCli, dir: &Path, seed: u64) -> Result<(String, String)> {
    let zone = ZoneId::new(ZONE)?;
    let track = write_walk(dir, &format!("walk-{seed}.gpx"), &zone, now_ms() as i64 - 8 * HOUR + seed as i64 * HOUR, 30, seed)?;
    let patrol = officer.record_patrol(&track, &["--findings"])?;
    let finding = officer.report_finding(&patrol.to_string(), "unlicensed_mining", zone_centre_degrees(&zone), "露天开挖 open pit")?;
    let photo = dir.join(format!("pit-{seed}.jpg"));
    let bytes = jpeg(None, 20_000, seed);
    std::fs::write(&photo, &bytes)?;
    officer.run(&["attach", "--finding", &finding.to_string(), "--file", path(&photo)?])?;
    Ok((finding.to_string(), sha256_hex(&bytes)))
}

fn receive_tip(inspector: &DeviceCli, n: u32) -> Result<()> {
    inspector.receive_tip(&format!("举报 {n}: 夜间有人在河道挖砂 digging at night"), "T01", "匿名 anonymous", "13900000000")?;
    Ok(())
}

/// The ids of the phone's own events (its outbox), acknowledged or not.
fn own_events(phone: &DeviceCli) -> Result<Vec<String>> {
    replica_ids(&phone.replica, "SELECT event_id FROM outbox")
}

fn checkpoint(db: &Path, note: &Path) -> Result<()> {
    std::fs::write(note, server_ok(&["audit", "checkpoint", "--db", path(db)?])?)?;
    Ok(())
}

/// How many times the server's store holds each id, as accepted.
fn times_stored(db: &Path, ids: &[String]) -> Result<Vec<(String, i64)>> {
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut stmt = conn.prepare("SELECT count(*) FROM events WHERE id = ?1 AND accepted = 1")?;
    ids.iter().map(|id| Ok((id.clone(), stmt.query_row([uuid::Uuid::parse_str(id)?.as_bytes().to_vec()], |r| r.get(0))?))).collect()
}

fn blob_stored(db: &Path, sha256: &str) -> Result<bool> {
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    Ok(conn.query_row("SELECT count(*) FROM blobs WHERE sha256 = ?1", [sha256], |r| r.get::<_, i64>(0))? == 1)
}

#[test]
fn a_county_goes_into_service_over_https_survives_a_lost_disk_and_loses_nothing() -> Result<()> {
    let work = tempfile::tempdir()?;
    let store = tempfile::tempdir()?;
    let db = store.path().join("central.db");

    // First run: the county, its roster, its reference data (operations.md, "First run").
    let out = county::init(&db)?;
    ensure!(out.status.success(), "init: {}", String::from_utf8_lossy(&out.stderr));
    let files = CountyFiles::yunshan(work.path())?;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&files.roster)?;
    let sheet = calamine::Reader::worksheet_range_at(&mut book, 0).context("a sheet")??;
    let head: Vec<String> = sheet.rows().next().context("a heading row")?.iter().map(ToString::to_string).collect();
    assert_eq!(head, HEAD_ZH, "the roster's headings are in Chinese");
    let (dbs, roster) = (path(&db)?.to_owned(), path(&files.roster)?);
    let dry = server_ok(&["roster", "import", "--db", &dbs, "--by", "admin", "--dry-run", roster])?;
    assert!(dry.starts_with("dry run, nothing written: 149 units, 177 people enrolled"), "{dry}");
    let said = server_ok(&["roster", "import", "--db", &dbs, "--by", "admin", roster])?;
    assert!(said.starts_with("imported: 149 units, 177 people enrolled, 0 changed, 127 assignments"), "{said}");
    let said = server_ok(&["reference", "import", "--db", &dbs, path(&files.reference)?])?;
    assert!(said.contains("134 zones, 54 licences"), "{said}");

    // Served over HTTPS with the county's own certificate.
    let pki = CountyPki::new(work.path())?;
    let mut server = TestServer::start_county_with(store, &pki.tls_env()?)?;
    assert_eq!(server.scheme, "https");
    let url = server.url();
    let admin = DeviceCli::new(work.path().join("admin.db"));
    let login = ["login", "--server", &url, "--ca-file", pki.ca_file()?, "--user", "admin", "--password-stdin"];
    let out = admin.output_with_input(&login, &format!("{ADMIN_PASSWORD}\n"))?;
    ensure!(out.status.success(), "the admin logs in: {}", String::from_utf8_lossy(&out.stderr));
    let officer = first_login(&admin, work.path(), &url, &pki, OFFICER)?;
    let inspector = first_login(&admin, work.path(), &url, &pki, INSPECTOR)?;
    let phones = [&admin, &officer.cli, &inspector.cli];

    // Work before the backup: a patrol with a finding and its photo, a tip; synced, photo uploaded.
    let mut photos = vec![patrol_with_photo(&officer.cli, work.path(), 1)?];
    receive_tip(&inspector.cli, 1)?;
    let out = officer.cli.run(&["sync"])?;
    assert!(out.contains("1 uploaded"), "{out}");
    inspector.cli.run(&["sync"])?;
    let before_backup = work.path().join("before-backup.note");
    checkpoint(&server.db(), &before_backup)?;

    let backup = work.path().join("backup-1");
    server_ok(&["backup", "--db", &dbs, "--to", path(&backup)?])?;
    let in_backup = [own_events(&inspector.cli)?, own_events(&officer.cli)?];

    // Work after the backup, acknowledged by the server and then lost with its disk.
    photos.push(patrol_with_photo(&officer.cli, work.path(), 2)?);
    receive_tip(&inspector.cli, 2)?;
    for phone in [&officer, &inspector] {
        phone.cli.run(&["sync"])?;
        assert_eq!(phone.cli.status()?["pending"], 0, "{}", phone.user);
    }
    admin.run(&["sync"])?;
    let after_backup = work.path().join("after-backup.note");
    checkpoint(&server.db(), &after_backup)?;

    // The disk is lost: the server dies and its files are gone.
    server.kill();
    std::fs::remove_dir_all(server.dir.path())?;
    let restored = tempfile::tempdir()?;
    let said = server_ok(&["restore", "--from", path(&backup)?, "--to", path(restored.path())?])?;
    assert!(said.contains("epoch"), "{said}");
    server.restart_in(restored)?;
    let db = server.db();

    // The phones notice the restore and re-send what the server lost: their own events acked after
    // the backup (the officer's patrol, finding and photo; the inspector's tip). They come back in
    // the other order than they first synced, so the log after the backup is written differently.
    for (phone, in_backup) in [&inspector, &officer].into_iter().zip(in_backup) {
        let lost: Vec<String> = own_events(&phone.cli)?.into_iter().filter(|id| !in_backup.contains(id)).collect();
        assert!(times_stored(&db, &lost)?.iter().all(|(_, n)| *n == 0), "{}: lost with the store", phone.user);
        let resent = lost.len();
        assert!(resent >= 2, "{}: {lost:?}", phone.user);
        let out = phone.cli.run(&["sync"])?;
        assert!(out.contains("服务器已从备份恢复") && out.contains(&format!("{resent} own events sent again")), "{}: {out}", phone.user);
        assert_eq!(phone.cli.status()?["pending"], 0, "{}", phone.user);
    }
    for phone in phones {
        phone.run(&["sync"])?;
    }

    // Nothing lost: every event each phone holds is on the server exactly once; every photo too.
    for phone in phones {
        let held = replica_ids(&phone.replica, "SELECT DISTINCT id FROM events")?;
        ensure!(held.len() > own_events(phone)?.len(), "{}: the phone holds its scope too", phone.replica.display());
        let wrong: Vec<_> = times_stored(&db, &held)?.into_iter().filter(|(_, n)| *n != 1).collect();
        assert!(wrong.is_empty(), "{}: events not on the server exactly once: {wrong:?}", phone.replica.display());
    }
    for (finding, sha) in &photos {
        assert!(blob_stored(&db, sha)?, "the photo {sha} is on the restored server");
        // The township's inspector fetches it (the phone checks the bytes against the hash).
        let fetched = inspector.cli.run(&["fetch", "--finding", finding])?;
        assert!(fetched.contains(sha.as_str()), "{fetched}");
    }

    // The audits: clean against the checkpoint from before the backup, honest about the one after.
    let dbs = path(&db)?;
    server_ok(&["audit", "verify", "--db", dbs, "--checkpoint", path(&before_backup)?])?;
    let said = server_refused(&["audit", "verify", "--db", dbs, "--checkpoint", path(&after_backup)?])?;
    assert!(said.contains("checkpoint file"), "the checkpoint from after the backup is reported: {said}");
    server_ok(&["audit", "verify", "--db", dbs])?;
    server_ok(&["audit", "integrity", "--db", dbs])?;
    Ok(())
}
