//! A small pool of read-only connections. WAL lets readers run beside the writer and see only
//! committed transactions, in commit order.

use rusqlite::Connection;
use std::path::PathBuf;
use std::sync::Mutex;

use super::{StoreError, open::open_reader};

pub struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    max_idle: usize,
}

impl Readers {
    pub fn new(path: PathBuf, max_idle: usize) -> Self {
        Readers { path, idle: Mutex::new(Vec::new()), max_idle }
    }

    /// Runs `f` with a reader connection. Blocking: call from a blocking thread.
    pub fn with<T>(&self, f: impl FnOnce(&Connection) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let conn = match self.idle.lock().ok().and_then(|mut idle| idle.pop()) {
            Some(conn) => conn,
            None => open_reader(&self.path)?,
        };
        let result = f(&conn);
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < self.max_idle
        {
            idle.push(conn);
        }
        result
    }
}
