//! The store's traits on SQLite: each method is one job of the single writer (so it commits,
//! with everything it decided, before it answers) or one read on the reader pool. The traits the
//! engines share are `store::backend`'s, over what this gives it (`Backend`); here are SQLite's
//! own: `Store`, `Reports`, `AuditLog`.

use std::collections::BTreeSet;
use std::sync::Arc;
use sync_protocol::compliance::WeekFacts;
use sync_protocol::hlc::Hlc;
use sync_protocol::ids::UnitId;
use sync_protocol::scope::Bucket;
use sync_protocol::values::IsoWeek;
use sync_protocol::wire::audit::{CheckpointReply, ConsistencyQuery, ConsistencyReply, ReadModelCheck};
use sync_protocol::wire::flags::{FlagList, FlagQuery};
use sync_protocol::wire::witness::{Withheld, WitnessAsk, WitnessReply};

use super::SqliteStore;
use super::writer::Commits;
use crate::args;
use crate::store::audit::{AuditLog, IntegrityReport};
use crate::store::backend::Backend;
use crate::store::jobs::WriteCtx;
use crate::store::reports::{Backlog, DeviceSync, Directory, LedgerPage, LedgerSelection, Reports};
use crate::store::sql::Sql;
use crate::store::{CheckSnapshot, Store, StoreError, StoreFuture};

impl Store for SqliteStore {
    fn ping(&self) -> StoreFuture<'_, ()> {
        Box::pin(self.read(|conn| Ok(conn.query_row("SELECT 1", [], |r| r.get::<_, i64>(0)).map(drop)?)))
    }

    fn probe_write(&self) -> StoreFuture<'_, ()> {
        match self.writer.commits() {
            Commits::Failing(failure) => return Box::pin(std::future::ready(Err(StoreError::CommitFailed(failure)))),
            Commits::Recently => return Box::pin(std::future::ready(Ok(()))),
            Commits::Unknown => {}
        }
        Box::pin(self.writer.run(|ctx| {
            let at = ctx.now_ms.to_be_bytes().to_vec();
            ctx.conn.run(
                "INSERT INTO meta (key, value) VALUES ('writer_probe', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                args![at],
            )?;
            Ok(())
        }))
    }

    fn tick(&self) -> Hlc {
        self.tick_hlc()
    }
}

impl Reports for SqliteStore {
    fn week_facts(&self, week: IsoWeek) -> StoreFuture<'_, WeekFacts> {
        Box::pin(self.read(move |conn| super::read_model::week_facts(conn, week)))
    }

    fn directory(&self) -> StoreFuture<'_, Directory> {
        Box::pin(self.read(super::read_model::directory))
    }

    fn ledger(&self, selection: LedgerSelection) -> StoreFuture<'_, LedgerPage> {
        Box::pin(self.read(move |conn| super::read_model::ledger(conn, &selection)))
    }

    fn map(&self, selection: LedgerSelection) -> StoreFuture<'_, sync_protocol::wire::map::MapFeatures> {
        let reference = self.writer.check_snapshot();
        Box::pin(self.read(move |conn| super::read_model::map(conn, &selection, &reference)))
    }

    fn cases(&self, townships: Option<BTreeSet<UnitId>>) -> StoreFuture<'_, Vec<sync_protocol::fold::Case>> {
        Box::pin(self.read(move |conn| super::read_model::cases(conn, townships.as_ref())))
    }

    fn backlog(&self, township: UnitId) -> StoreFuture<'_, Backlog> {
        Box::pin(self.read(move |conn| super::read_model::backlog(conn, &township)))
    }

    fn check_read_model(&self) -> StoreFuture<'_, ReadModelCheck> {
        Box::pin(self.read(super::read_model::verify))
    }

    fn device_syncs(&self) -> StoreFuture<'_, Vec<DeviceSync>> {
        Box::pin(self.read(super::devices::list))
    }

    fn flags(&self, scope: BTreeSet<Bucket>, query: FlagQuery) -> StoreFuture<'_, FlagList> {
        Box::pin(self.read(move |conn| super::flag_list::list(conn, &scope, &query)))
    }
}

impl AuditLog for SqliteStore {
    fn checkpoint(&self) -> StoreFuture<'_, CheckpointReply> {
        Box::pin(self.writer.run(|ctx| ctx.checkpoint_reply()))
    }

    fn consistency(&self, query: ConsistencyQuery) -> StoreFuture<'_, ConsistencyReply> {
        Box::pin(self.read(move |conn| super::merkle::proofs::consistency(conn, query)))
    }

    fn integrity(&self) -> StoreFuture<'_, IntegrityReport> {
        Box::pin(self.read(super::integrity::check))
    }

    fn witness(&self, held: WitnessAsk) -> StoreFuture<'_, WitnessReply> {
        let latest = self.writer.witness().latest();
        Box::pin(async move {
            let latest = latest.ok_or_else(|| StoreError::corrupt("merkle_leaves", "the log could not be loaded (run audit verify)"))?;
            self.read(move |conn| super::merkle::witness::reply(conn, &latest, &held)).await
        })
    }

    fn flag_withheld(&self, withheld: Vec<Withheld>) -> StoreFuture<'_, ()> {
        Box::pin(self.writer.run(move |ctx| ctx.flag_withheld(&withheld)))
    }
}

impl Backend for SqliteStore {
    fn job<T, F>(&self, f: F) -> StoreFuture<'_, T>
    where
        T: Send + 'static,
        F: FnOnce(&mut WriteCtx<'_>) -> Result<T, StoreError> + Send + 'static,
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
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SqliteStore")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoreError;
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
