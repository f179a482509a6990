//! The WAL's checkpoints (committed pages copied from the `-wal` file into the database file),
//! run by a thread of their own beside the single writer, so that the next batch never waits on them.
//!
//! SQLite runs a checkpoint in the connection whose commit takes the WAL past 1,000 pages: here
//! that was the writer, which then copied and synced pages while every request waited on it (a
//! thirtieth of its time in the load bench's storm). The writer's connection now leaves it to this
//! thread (`wal_autocheckpoint = 0`), which it wakes after each commit that wrote something. A
//! checkpoint is passive: it copies what no reader still needs and never blocks the writer or a
//! reader; what it leaves is copied by the next. Durability does not depend on it: a commit is on
//! disk once its WAL frames are synced (`synchronous = FULL`), before any checkpoint.

use rusqlite::Connection;
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::time::Duration;

use super::StoreError;

/// How long the thread lets commits gather after being woken before it copies them: at the
/// writer's pace, a checkpoint every tenth of a second holds a few hundred pages.
const GATHER: Duration = Duration::from_millis(100);

/// The writer's handle on the checkpointing thread; the thread ends when it is dropped.
pub struct WalCheckpointer {
    wake: SyncSender<()>,
}

impl WalCheckpointer {
    /// Starts the thread on its own connection to the store at `path`, and turns off the
    /// checkpoints `writer` would run itself.
    pub fn start(path: &Path, writer: &Connection) -> Result<WalCheckpointer, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(1))?;
        writer.pragma_update(None, "wal_autocheckpoint", 0)?;
        // One wake-up waiting is enough: the checkpoint copies every commit made before it.
        let (wake, woken) = sync_channel(1);
        std::thread::Builder::new().name("wal-checkpoint".into()).spawn(move || run(&conn, &woken)).map_err(StoreError::Threads)?;
        Ok(WalCheckpointer { wake })
    }

    /// Tells the thread that the writer committed pages to the WAL. Never blocks.
    pub fn committed(&self) {
        match self.wake.try_send(()) {
            Ok(()) | Err(TrySendError::Full(())) => {}
            Err(TrySendError::Disconnected(())) => tracing::warn!("the WAL's checkpointing thread has stopped"),
        }
    }
}

fn run(conn: &Connection, woken: &Receiver<()>) {
    crate::pool::yield_to_the_writer();
    while woken.recv().is_ok() {
        std::thread::sleep(GATHER);
        // (busy, frames in the WAL, frames copied): busy only when another checkpoint runs.
        let done =
            conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?)));
        match done {
            Ok((busy, frames, copied)) => tracing::trace!(busy, frames, copied, "WAL checkpoint"),
            Err(e) => tracing::warn!("a WAL checkpoint failed (the next commit tries again): {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::SqliteStore;
    use rusqlite::OpenFlags;
    use sync_protocol::body::{Body, Role, UserEnrolled};
    use sync_protocol::ids::UserId;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    /// The users the database file itself holds, without its WAL (`immutable`: what a checkpoint
    /// has copied, and nothing more).
    fn users_in_the_file(path: &Path) -> Result<i64, rusqlite::Error> {
        let uri = format!("file:{}?immutable=1", path.display());
        let conn = Connection::open_with_flags(uri, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI)?;
        // Until the first checkpoint, even the schema is only in the WAL.
        let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_master WHERE name = 'users'", [], |r| r.get(0))?;
        if tables == 0 {
            return Ok(0);
        }
        conn.query_row("SELECT count(*) FROM users WHERE id = 'vo-checkpointed'", [], |r| r.get(0))
    }

    #[tokio::test]
    async fn a_small_commit_reaches_the_database_file_without_the_writer_checkpointing() -> TestResult {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("central.db");
        let store = SqliteStore::open(&path)?;
        let user = Body::UserEnrolled(UserEnrolled {
            user: UserId::new("vo-checkpointed")?,
            display_name: "Officer Checkpointed".into(),
            role: Role::VillageOfficer,
            units: Vec::new(),
            phone: None,
            by: None,
        });
        store.writer().run(move |ctx| ctx.author(&user).map(|_| ())).await?;
        // A few pages, far below the 1,000 at which SQLite would checkpoint in the writer's
        // commit: only the checkpointing thread copies them into the file.
        let mut in_file = 0;
        for _ in 0..100 {
            in_file = users_in_the_file(&path)?;
            if in_file == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(in_file, 1, "the commit was copied from the WAL into the database file");
        Ok(())
    }
}
