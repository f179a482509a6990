//! The offline audits on a PostgreSQL store: one connection of their own (no writer, no
//! migrations), each audit read in one read-only `REPEATABLE READ` transaction, so that it sees
//! one committed state of the store while servers keep writing.

use postgres::IsolationLevel;
use sync_protocol::merkle::SignedCheckpoint;

use super::{Location, Pg, StoreError, connect, off_runtime};
use crate::store::audit::LogReport;

/// `audit verify` on the store at `at` (a database, or a county's schema in it): the log
/// re-derived from the rows and checked against every stored checkpoint and `kept`
/// (`store::log::verify`).
pub fn verify_log(at: &Location, kept: Option<&SignedCheckpoint>) -> Result<LogReport, StoreError> {
    off_runtime(|| {
        let mut client = connect(at)?;
        let mut tx = client.build_transaction().isolation_level(IsolationLevel::RepeatableRead).read_only(true).start()?;
        let report = crate::store::log::verify::verify(&Pg::new(&mut tx), kept)?;
        tx.commit()?;
        Ok(report)
    })
}
