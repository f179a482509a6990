//! The offline tools on a PostgreSQL store, each on one connection of its own (no writer, no
//! migrations): an audit in one read-only `REPEATABLE READ` transaction, which sees one committed
//! state of the store while servers keep writing; a rebuild or a checkpoint in one write
//! transaction holding the writer role, so that no serving process writes meanwhile.

use postgres::IsolationLevel;

use super::open::writer_lock;
use super::{Location, Pg, StoreError, caches, connect, off_runtime, writer};
use crate::store::sql::Sql;

/// Runs `audit` on the store at `at` (a database, or a county's schema in it), in one read-only
/// `REPEATABLE READ` transaction.
pub fn read<T: Send>(at: &Location, audit: impl FnOnce(&dyn Sql) -> Result<T, StoreError> + Send) -> Result<T, StoreError> {
    off_runtime(|| {
        let mut client = connect(at)?;
        let mut tx = client.build_transaction().isolation_level(IsolationLevel::RepeatableRead).read_only(true).start()?;
        let seen = audit(&Pg::new(&mut tx))?;
        tx.commit()?;
        Ok(seen)
    })
}

/// Runs `change` on the store at `at`, in one write transaction holding its writer role
/// (waiting, as a serving process's batch does, for the batch that holds it to end). Draws a
/// writer generation before the commit, so that every serving writer brings its caches up to
/// date before its next batch.
pub fn write<T: Send>(at: &Location, change: impl FnOnce(&dyn Sql) -> Result<T, StoreError> + Send) -> Result<T, StoreError> {
    off_runtime(|| {
        let mut client = writer::connect_as_writer(at)?;
        let lock = writer_lock(&mut client, at)?;
        let mut tx = writer::begin(&mut client, lock)?;
        let done = {
            let sql = Pg::new(&mut tx);
            let done = change(&sql)?;
            caches::draw(&sql)?;
            done
        };
        tx.commit()?;
        Ok(done)
    })
}
