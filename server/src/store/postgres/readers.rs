//! A small pool of reader connections, each with its prepared statements. Each read runs in one
//! read-only `REPEATABLE READ` transaction: it sees one committed state of the store, in commit
//! order, whatever it queries.

use postgres::{Client, IsolationLevel, Transaction};
use std::sync::Mutex;

use super::{Location, Pg, Statements, StoreError, connect};

/// A reader connection and the statements prepared on it.
struct Conn {
    client: Client,
    statements: Statements,
}

pub struct Readers {
    at: Location,
    idle: Mutex<Vec<Conn>>,
    max_idle: usize,
}

/// What a read is given: its transaction, over the SQL layer, with the connection's statements.
pub type ReadTx<'a, 't> = Pg<'a, Transaction<'t>>;

impl Readers {
    pub fn new(at: Location, max_idle: usize) -> Self {
        Readers { at, idle: Mutex::new(Vec::new()), max_idle }
    }

    /// Runs `f` in a read-only transaction on a reader connection. Blocking: call from a blocking
    /// thread. A connection that was lost is replaced, and one that failed is not kept.
    pub fn with<T>(&self, f: impl FnOnce(&ReadTx<'_, '_>) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop()).filter(|c| !c.client.is_closed());
        let mut conn = match idle {
            Some(conn) => conn,
            None => Conn { client: connect(&self.at)?, statements: Statements::default() },
        };
        let result = read(&mut conn, f);
        if result.is_ok()
            && let Ok(mut idle) = self.idle.lock()
            && idle.len() < self.max_idle
        {
            idle.push(conn);
        }
        result
    }
}

/// The idle connections are closed on a thread of their own: a store may be dropped on an async
/// worker, where the driver's own runtime must not be.
impl Drop for Readers {
    fn drop(&mut self) {
        if let Ok(idle) = self.idle.get_mut() {
            let idle = std::mem::take(idle);
            if !idle.is_empty() {
                let _ = std::thread::Builder::new().name("store-close".into()).spawn(move || drop(idle));
            }
        }
    }
}

fn read<T>(conn: &mut Conn, f: impl FnOnce(&ReadTx<'_, '_>) -> Result<T, StoreError>) -> Result<T, StoreError> {
    let mut tx = conn.client.build_transaction().isolation_level(IsolationLevel::RepeatableRead).read_only(true).start()?;
    let out = f(&Pg::cached(&mut tx, &conn.statements))?;
    tx.commit()?;
    Ok(out)
}
