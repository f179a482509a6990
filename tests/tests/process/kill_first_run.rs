//! A crash during a county's first run leaves a store that works: `init` and `roster import` each
//! write in one transaction, so a SIGKILL at any moment leaves the store as it was before the
//! command or as the command completes it, and running the command again succeeds. Each is killed
//! several times: at spread fractions of how long a whole run takes here, right after its commit
//! became visible, and, for a large roster, while its transaction is open (another connection
//! finds the write lock held). Both fail when the write is split in two transactions.

use anyhow::{Context, Result, ensure};
use argon2::password_hash::PasswordHash;
use argon2::{Argon2, PasswordVerifier};
use patrolsync_tests::county::{self, ADMIN_PASSWORD, HEAD_ZH, path, server_ok, write_xlsx};
use patrolsync_tests::server::TestServer;
use std::path::Path;
use std::time::{Duration, Instant};

/// What another connection sees of a store: units, users (besides the server's own), events, and
/// the admin's password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    units: i64,
    users: i64,
    events: i64,
    admin_hash: Option<String>,
}

fn seen(db: &Path) -> Result<Option<Seen>> {
    if !db.exists() {
        return Ok(None);
    }
    // Read-write (never creating), so that it can recover the write-ahead log a killed process left,
    // as the next command on the store does; it only reads.
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    let has_units: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'units')", [], |r| r.get(0))?;
    if !has_units {
        // Killed while the schema was being made: no migration has created the tables yet.
        return Ok(Some(Seen { units: 0, users: 0, events: 0, admin_hash: None }));
    }
    let (units, users, events) = conn.query_row(
        "SELECT (SELECT count(*) FROM units), (SELECT count(*) FROM users WHERE id <> 'system'), (SELECT count(*) FROM events)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let admin_hash = conn.query_row("SELECT password_hash FROM users WHERE id = 'admin'", [], |r| r.get(0)).ok();
    Ok(Some(Seen { units, users, events, admin_hash }))
}

/// When to kill a running command.
#[derive(Debug, Clone, Copy)]
enum Moment {
    /// This long after it started.
    After(Duration),
    /// Once another connection has found the store's write lock held this long without a break:
    /// the command's transaction is open (being planned and written), nothing of it committed.
    Writing(Duration),
    /// As soon as another connection sees its first write committed.
    Committed,
}

/// Runs `args` and kills it with SIGKILL at `moment` (or lets it finish, if it finishes first);
/// returns whether it was killed. `base` is what the store held before.
fn kill_at(args: &[&str], input: &str, db: &Path, moment: Moment, base: Option<&Seen>) -> Result<bool> {
    let mut child = TestServer::spawn_command(args, input)?;
    let started = Instant::now();
    let mut locked_since = None;
    loop {
        if child.try_wait()?.is_some() {
            return Ok(false);
        }
        let now = match moment {
            Moment::After(at) => started.elapsed() >= at,
            Moment::Writing(held) => {
                locked_since = if write_locked(db) { locked_since.or(Some(Instant::now())) } else { None };
                locked_since.is_some_and(|since| since.elapsed() >= held)
            }
            Moment::Committed => seen(db).ok().flatten().is_some_and(|s| s.events > base.map_or(0, |b| b.events)),
        };
        ensure!(started.elapsed() < Duration::from_secs(120), "{moment:?} never came");
        if now {
            child.kill()?;
            child.wait()?;
            return Ok(true);
        }
        std::thread::sleep(Duration::from_micros(500));
    }
}

/// Whether a write transaction is open on the store now: another connection cannot take the write
/// lock without waiting (it takes and gives it back at once when it can).
fn write_locked(db: &Path) -> bool {
    let Ok(conn) = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE) else { return false };
    let busy = |e: &rusqlite::Error| e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy);
    conn.busy_timeout(Duration::ZERO).is_ok() && conn.execute_batch("BEGIN IMMEDIATE; ROLLBACK").as_ref().is_err_and(busy)
}

/// How long a whole run of `args` takes here (it must succeed).
fn timed(args: &[&str], input: &str) -> Result<Duration> {
    let started = Instant::now();
    let status = TestServer::spawn_command(args, input)?.wait()?;
    ensure!(status.success(), "patrolsync-server {} failed", args.join(" "));
    Ok(started.elapsed())
}

/// The admin's stored hash verifies the admin's password.
fn admin_can_log_in(seen: &Seen) -> bool {
    let Some(hash) = seen.admin_hash.as_deref() else { return false };
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(ADMIN_PASSWORD.as_bytes(), &h).is_ok())
}

#[test]
fn a_kill_during_init_leaves_an_empty_store_or_the_whole_county_and_init_runs_again() -> Result<()> {
    let reference = tempfile::tempdir()?;
    let db = reference.path().join("central.db");
    let args = county::init_args(&db)?;
    let whole = timed(&args.iter().map(String::as_str).collect::<Vec<_>>(), &format!("{ADMIN_PASSWORD}\n"))?;
    let complete = seen(&db)?.context("init made the store")?;
    assert!(complete.units == 1 && complete.users == 1 && admin_can_log_in(&complete), "{complete:?}");
    let whole_county = |s: &Seen| (s.units, s.users, s.events) == (complete.units, complete.users, complete.events) && admin_can_log_in(s);

    // Init exits a few milliseconds after its commit, so on a busy machine (the whole suite at
    // once) the kill can come too late: right after the commit is tried up to six times.
    let mut moments: Vec<Moment> = (0..10).map(|tenth| Moment::After(whole * tenth / 10)).collect();
    moments.extend([Moment::Committed; 6]);
    let mut outcomes = Vec::new();
    for moment in moments {
        if matches!(moment, Moment::Committed) && outcomes.iter().any(|(m, killed, _)| matches!(m, Moment::Committed) && *killed) {
            continue;
        }
        let dir = tempfile::tempdir()?;
        let db = dir.path().join("central.db");
        let args = county::init_args(&db)?;
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let killed = kill_at(&argv, &format!("{ADMIN_PASSWORD}\n"), &db, moment, None)?;
        let left = seen(&db)?;
        let untouched = left.as_ref().is_none_or(|s| s.units == 0 && s.users == 0 && s.events == 0 && s.admin_hash.is_none());
        let done = left.as_ref().is_some_and(whole_county);
        assert!(untouched || done, "killed at {moment:?} ({killed}): the store holds part of a county: {left:?}");
        outcomes.push((moment, killed, untouched));

        // Run again: an untouched store is founded; a founded one is refused and kept as it is.
        let again = county::init(&db)?;
        let said = String::from_utf8_lossy(&again.stderr);
        if untouched {
            ensure!(again.status.success(), "init again after a kill at {moment:?}: {said}");
        } else {
            assert!(!again.status.success() && said.contains("already holds a county"), "{said}");
        }
        let now = seen(&db)?.context("a store")?;
        assert!(whole_county(&now), "after a kill at {moment:?} and a re-run: {now:?}");
    }
    assert!(outcomes.iter().any(|(_, killed, untouched)| *killed && *untouched), "some kill landed before the commit: {outcomes:?}");
    assert!(
        outcomes.iter().any(|(m, killed, untouched)| matches!(m, Moment::Committed) && *killed && !*untouched),
        "some kill landed right after the commit: {outcomes:?}"
    );
    Ok(())
}

/// A large roster: `townships` township-level units of `villages` villages each, a village officer
/// per village with its zone, an inspector per township, and `auditors` of the mineral section.
fn large_roster(townships: usize, villages: usize, auditors: usize) -> Vec<Vec<String>> {
    let mut rows = vec![HEAD_ZH.map(str::to_owned).to_vec()];
    let row = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
    for t in 1..=townships {
        let township = format!("T{t:02}");
        rows.push(row(&["单位", &township, &format!("Township {t}"), &format!("第{t}乡"), "乡", "", "CTY", "是"]));
        rows.push(row(&["人员", &format!("ti-t{t:02}-1"), &format!("Inspector {t}"), "", "", "执法监察员", &township]));
        for v in 1..=villages {
            let village = format!("{township}-V{v:02}");
            rows.push(row(&["单位", &village, &format!("Village {t}.{v}"), &format!("{t}乡{v}村"), "村", "", &township]));
            let officer = format!("vo-t{t:02}-v{v:02}");
            let zone = format!("Z-{village}");
            rows.push(row(&[
                "人员",
                &officer,
                &format!("Officer {t}.{v}"),
                "",
                "",
                "动态巡查信息员",
                &village,
                "",
                "",
                &zone,
                "2026-01-01",
            ]));
        }
    }
    for a in 1..=auditors {
        rows.push(row(&["人员", &format!("ca-{a}"), &format!("Auditor {a}"), "", "", "矿产股", "CTY", "", "0797-1234567"]));
    }
    rows
}

/// A county founded by `init` in a new folder, with `roster` beside it; returns the folder.
fn founded_with(roster: &Path) -> Result<tempfile::TempDir> {
    let dir = tempfile::tempdir()?;
    let out = county::init(&dir.path().join("central.db"))?;
    ensure!(out.status.success(), "init: {}", String::from_utf8_lossy(&out.stderr));
    std::fs::copy(roster, dir.path().join("花名册.xlsx"))?;
    Ok(dir)
}

#[test]
fn a_kill_during_a_roster_import_leaves_the_store_as_before_or_imported_and_the_import_runs_again() -> Result<()> {
    let scratch = tempfile::tempdir()?;
    let file = scratch.path().join("花名册.xlsx");
    let rows = large_roster(12, 40, 600);
    write_xlsx(&file, &rows.iter().map(|r| r.iter().map(String::as_str).collect()).collect::<Vec<_>>())?;

    // A whole import, for how long it takes and what it leaves.
    let reference = founded_with(&file)?;
    let (db, roster) = (reference.path().join("central.db"), reference.path().join("花名册.xlsx"));
    let before = seen(&db)?.context("a store")?;
    let whole = timed(&["roster", "import", "--db", path(&db)?, "--by", "admin", path(&roster)?], "")?;
    let complete = seen(&db)?.context("a store")?;
    assert_eq!(complete.users, before.users + 12 * 41 + 600, "every person enrolled");

    // Killed at spread moments of a run, while the transaction is being written, and right after
    // its commit. The import exits a few milliseconds after its commit, so on a busy machine the
    // kill can come too late: right after the commit is tried up to four times.
    let mut moments: Vec<Moment> = (1..=6).map(|k| Moment::After(whole * k / 8)).collect();
    moments.extend([Moment::Writing(Duration::from_millis(20)), Moment::Writing(Duration::from_millis(50))]);
    moments.extend([Moment::Committed; 4]);
    let mut outcomes = Vec::new();
    for moment in moments {
        if matches!(moment, Moment::Committed) && outcomes.iter().any(|(m, killed, _)| matches!(m, Moment::Committed) && *killed) {
            continue;
        }
        let dir = founded_with(&file)?;
        let (db, roster) = (dir.path().join("central.db"), dir.path().join("花名册.xlsx"));
        let base = seen(&db)?.context("a store")?;
        let killed = kill_at(&["roster", "import", "--db", path(&db)?, "--by", "admin", path(&roster)?], "", &db, moment, Some(&base))?;
        let left = seen(&db)?.context("a store")?;
        let untouched = left == base;
        let done = left.users == complete.users && left.units == complete.units && left.events == complete.events;
        assert!(untouched || done, "killed at {moment:?} ({killed}): part of a roster: {left:?}");
        outcomes.push((moment, killed, untouched));

        // The same import again completes the roster (or finds it complete).
        let said = server_ok(&["roster", "import", "--db", path(&db)?, "--by", "admin", path(&roster)?])?;
        let now = seen(&db)?.context("a store")?;
        assert_eq!((now.units, now.users, now.events), (complete.units, complete.users, complete.events), "{said}");
        if !untouched {
            assert!(said.contains("0 people enrolled, 0 changed, 0 assignments"), "nothing left to author: {said}");
        }
    }
    assert!(
        outcomes.iter().all(|(m, killed, untouched)| !matches!(m, Moment::Writing(_)) || (*killed && *untouched)),
        "each kill while the transaction was open left the store as before: {outcomes:?}"
    );
    assert!(
        outcomes.iter().any(|(m, killed, untouched)| matches!(m, Moment::Committed) && *killed && !*untouched),
        "a kill landed right after the commit: {outcomes:?}"
    );
    Ok(())
}
