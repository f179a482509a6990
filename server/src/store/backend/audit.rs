//! The audit log (`AuditLog`) and the store itself (`Store`) written once over [`Backend`]:
//! checkpoints signed by the writer, proofs and the integrity check read on a reader, the witness
//! from what the writer last published, the readiness probe from the writer's health.

use sync_protocol::hlc::Hlc;
use sync_protocol::wire::audit::{CheckpointReply, ConsistencyQuery, ConsistencyReply};
use sync_protocol::wire::witness::{Withheld, WitnessAsk, WitnessReply};

use super::Backend;
use crate::args;
use crate::store::audit::{AuditLog, IntegrityReport};
use crate::store::batch::Commits;
use crate::store::log::{Rows, witness};
use crate::store::reads::integrity;
use crate::store::{Store, StoreError, StoreFuture};

impl<E: Backend> AuditLog for E {
    fn checkpoint(&self) -> StoreFuture<'_, CheckpointReply> {
        self.job(|ctx| {
            let signed = crate::store::log::checkpoint(ctx.log, &mut Rows(ctx.conn), ctx.server, ctx.now_ms)?;
            Ok(CheckpointReply::new(signed, ctx.server.key.public()))
        })
    }

    fn consistency(&self, query: ConsistencyQuery) -> StoreFuture<'_, ConsistencyReply> {
        self.read_sql(move |conn| crate::store::log::consistency(&mut Rows(conn), query))
    }

    fn integrity(&self) -> StoreFuture<'_, IntegrityReport> {
        self.read_sql(integrity::check)
    }

    fn witness(&self, held: WitnessAsk) -> StoreFuture<'_, WitnessReply> {
        let Some(latest) = self.latest_checkpoint() else {
            let missing = StoreError::corrupt("merkle_leaves", "the log could not be loaded (run audit verify)");
            return Box::pin(std::future::ready(Err(missing)));
        };
        self.read_sql(move |conn| witness::reply(conn, &latest, &held))
    }

    fn flag_withheld(&self, withheld: Vec<Withheld>) -> StoreFuture<'_, ()> {
        self.job(move |ctx| ctx.flag_withheld(&withheld))
    }
}

impl<E: Backend> Store for E {
    fn ping(&self) -> StoreFuture<'_, ()> {
        self.read_sql(|conn| conn.one("SELECT 1", args![]).map(drop))
    }

    fn probe_write(&self) -> StoreFuture<'_, ()> {
        match self.commits() {
            Commits::Failing(failure) => return Box::pin(std::future::ready(Err(StoreError::CommitFailed(failure)))),
            Commits::Recently => return Box::pin(std::future::ready(Ok(()))),
            Commits::Unknown => {}
        }
        self.job(|ctx| {
            let at = ctx.now_ms.to_be_bytes().to_vec();
            ctx.conn.run(
                "INSERT INTO meta (key, value) VALUES ('writer_probe', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                args![at],
            )?;
            Ok(())
        })
    }

    fn tick(&self) -> Hlc {
        self.tick_hlc()
    }
}
