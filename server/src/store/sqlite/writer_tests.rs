//! A batch of several jobs, one of which fails: run first without savepoints, then again with one
//! per job, so that only the failed job is undone and every other job's result is its own.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use sync_protocol::body::{Body, Role, UserEnrolled};
use sync_protocol::ids::UserId;

use crate::store::sqlite::SqliteStore as Store;
use crate::store::{Conflict, StoreError};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn user(n: u32) -> Result<Body, Box<dyn std::error::Error>> {
    Ok(Body::UserEnrolled(UserEnrolled {
        user: UserId::new(format!("vo-{n}"))?,
        display_name: format!("Officer {n}"),
        role: Role::VillageOfficer,
        units: Vec::new(),
        phone: None,
        by: None,
    }))
}

/// Jobs 1 to 4 wait in the queue while job 0 holds the writer, so that they make one batch; job 2
/// enrols its user and then fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_job_in_a_batch_is_undone_alone_and_the_others_run_again_and_commit() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("central.db");
    let store = Arc::new(Store::open(&path)?);
    let (release, held) = std::sync::mpsc::channel::<()>();
    let held = std::sync::Mutex::new(held);
    let first = {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .writer()
                .run(move |_| {
                    // Holds the writer until the other jobs are queued (or for 10 s at most).
                    let _ = held.lock().map(|rx| rx.recv_timeout(Duration::from_secs(10)));
                    Ok(())
                })
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let runs: Vec<Arc<AtomicUsize>> = (0..5).map(|_| Arc::new(AtomicUsize::new(0))).collect();
    let job = |n: u32| -> Result<_, Box<dyn std::error::Error>> {
        let (runs, body) = (runs[n as usize].clone(), user(n)?);
        Ok(store.writer().run(move |ctx| {
            runs.fetch_add(1, Ordering::SeqCst);
            ctx.author(&body)?;
            match n {
                2 => Err(StoreError::Conflict(Conflict::DeviceTaken)),
                _ => Ok(n),
            }
        }))
    };
    // `join!` polls its futures in order, and a job is queued at its first poll: jobs 1 to 4 wait
    // in this order behind job 0, which is let go after them.
    let let_go = async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        release.send(())
    };
    let (one, two, three, four, let_go) = tokio::join!(job(1)?, job(2)?, job(3)?, job(4)?, let_go);
    let_go?;
    first.await??;
    let results = [one, two, three, four];
    assert!(matches!(results[0], Ok(1)), "{:?}", results[0]);
    assert!(matches!(results[1], Err(StoreError::Conflict(Conflict::DeviceTaken))), "the failed job's own error: {:?}", results[1]);
    assert!(matches!(results[2], Ok(3)), "{:?}", results[2]);
    assert!(matches!(results[3], Ok(4)), "{:?}", results[3]);
    let ran: Vec<usize> = runs[1..].iter().map(|r| r.load(Ordering::SeqCst)).collect();
    // The first pass stopped at job 2 and was undone; the second ran every job in its savepoint.
    assert_eq!(ran, [2, 2, 1, 1], "how often each job ran");
    let conn = rusqlite::Connection::open(&path)?;
    let enrolled: Vec<String> =
        conn.prepare("SELECT id FROM users WHERE id LIKE 'vo-%' ORDER BY id")?.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    assert_eq!(enrolled, ["vo-1", "vo-3", "vo-4"], "job 2's user is undone, the others are stored once");
    let events: i64 =
        conn.query_row("SELECT count(*) FROM events WHERE kind = 'user.enrolled' AND raw LIKE '%\"vo-_\"%'", [], |r| r.get(0))?;
    assert_eq!(events, 3, "one event for each job that stood");
    Ok(())
}
