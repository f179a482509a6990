//! What the PostgreSQL engine gives the store's traits, which are written once over it
//! (`store::backend`): a job of its single writer, a read in a read-only transaction of a reader
//! over the SQL layer, and what the writer publishes (the checks' reference, the latest
//! checkpoint, its health).

use std::sync::Arc;
use sync_protocol::hlc::Hlc;

use super::PostgresStore;
use crate::store::backend::Backend;
use crate::store::batch::Commits;
use crate::store::jobs::WriteCtx;
use crate::store::log::witness::Latest;
use crate::store::sql::Sql;
use crate::store::{CheckSnapshot, StoreError, StoreFuture};

impl Backend for PostgresStore {
    fn job<T, F>(&self, f: F) -> StoreFuture<'_, T>
    where
        T: Send + 'static,
        F: FnMut(&mut WriteCtx<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        Box::pin(self.writer.run(f))
    }

    fn read_sql<T, F>(&self, f: F) -> StoreFuture<'_, T>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Sql) -> Result<T, StoreError> + Send + 'static,
    {
        Box::pin(self.read(move |sql| f(sql)))
    }

    fn check_snapshot(&self) -> Arc<CheckSnapshot> {
        self.writer.check_snapshot()
    }

    fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    fn latest_checkpoint(&self) -> Option<Arc<Latest>> {
        self.writer.witness().latest()
    }

    fn commits(&self) -> Commits {
        self.writer.commits()
    }

    fn tick_hlc(&self) -> Hlc {
        crate::store::jobs::tick(&self.hlc, self.clock.now_ms())
    }
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PostgresStore")
    }
}
