//! What the SQLite engine gives the store's traits, which are written once over it
//! (`store::backend`): a job of its single writer, a read on the reader pool, and what the writer
//! publishes (the checks' reference, the latest checkpoint, its health).

use std::sync::Arc;
use sync_protocol::hlc::Hlc;

use super::SqliteStore;
use super::writer::Commits;
use crate::store::backend::Backend;
use crate::store::jobs::WriteCtx;
use crate::store::log::witness::Latest;
use crate::store::sql::Sql;
use crate::store::{CheckSnapshot, StoreError, StoreFuture};

impl Backend for SqliteStore {
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
        Box::pin(self.read(move |conn| f(conn)))
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

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SqliteStore")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Store, StoreError};
    use sync_protocol::ids::{DeviceId, UserId};

    #[tokio::test]
    async fn the_engine_is_a_store_object_and_answers_through_it() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.path().join("central.db"))?);
        store.ping().await?;
        assert!(!store.holds_units().await?);
        let missing = store.user_and_device(UserId::new("nobody")?, DeviceId(uuid::Uuid::nil())).await?;
        assert!(missing.0.is_none() && missing.1.is_none());
        let err = store.set_disabled(UserId::new("admin")?, UserId::new("nobody")?, true).await.expect_err("no such user");
        assert!(matches!(err, StoreError::NotFound { what: crate::store::Entity::User, .. }), "{err:?}");
        Ok(())
    }
}
