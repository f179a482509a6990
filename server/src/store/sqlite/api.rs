//! The store's traits on SQLite: each method is one job of the single writer (so it commits,
//! with everything it decided, before it answers) or one read on the reader pool.

use serde_json::value::RawValue;
use std::collections::BTreeSet;
use std::sync::Arc;
use sync_protocol::admit::Caller;
use sync_protocol::body::{AssignmentSet, BlobHash, Body, MediaType, Role, UserChanged, UserEnrolled};
use sync_protocol::compliance::WeekFacts;
use sync_protocol::event::Event;
use sync_protocol::hlc::Hlc;
use sync_protocol::ids::{DeviceId, EventId, UnitId, UserId};
use sync_protocol::scope::Bucket;
use sync_protocol::values::IsoWeek;
use sync_protocol::wire::audit::{CheckpointReply, ConsistencyQuery, ConsistencyReply, ReadModelCheck};
use sync_protocol::wire::evidence::{MissingList, MissingQuery};
use sync_protocol::wire::flags::{FlagList, FlagQuery};
use sync_protocol::wire::patrol::PatrolRecord;
use sync_protocol::wire::people::{AccessLog, AccessQuery};
use sync_protocol::wire::witness::{Withheld, WitnessAsk, WitnessReply};
use sync_protocol::wire::{Ack, BucketPage, DeviceEnrolment};

use super::writer::Commits;
use super::{SqliteStore, principal, pull};
use crate::store::audit::{AuditLog, IntegrityReport};
use crate::store::evidence::{BlobAccess, Evidence};
use crate::store::ingest::{Ingest, Pushed};
use crate::store::people::{AccessEntry, NewCounty, PasswordHash, People};
use crate::store::pulls::{Pulls, Reader};
use crate::store::reference::{Planner, Progress, ReferenceData};
use crate::store::reports::{Backlog, DeviceSync, Directory, LedgerPage, LedgerSelection, Reports};
use crate::store::sessions::{
    DeviceRecord, Issued, RefreshRefused, RefreshToken, SessionEnd, SessionHolder, SessionId, SessionSettings, Sessions, UserRecord,
};
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
            ctx.conn
                .prepare_cached(
                    "INSERT INTO meta (key, value) VALUES ('writer_probe', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                )?
                .execute([at])?;
            Ok(())
        }))
    }

    fn tick(&self) -> Hlc {
        self.tick_hlc()
    }
}

impl Ingest for SqliteStore {
    fn check_snapshot(&self) -> Arc<CheckSnapshot> {
        self.writer.check_snapshot()
    }

    fn ingest(&self, caller: Caller, pushed: Vec<Pushed>, stated: Hlc) -> StoreFuture<'_, (Vec<Ack>, u64)> {
        Box::pin(self.writer.run(move |ctx| {
            let acks = ctx.ingest(&caller, pushed, stated)?;
            Ok((acks, ctx.head(caller.device)?.expected_seq()))
        }))
    }

    fn note_pull(&self, device: DeviceId) -> StoreFuture<'_, ()> {
        Box::pin(self.writer.run(move |ctx| ctx.note_pull(device)))
    }

    fn settle_overdue_cases(&self) -> StoreFuture<'_, usize> {
        Box::pin(self.writer.run(|ctx| ctx.settle_overdue_cases()))
    }
}

impl Sessions for SqliteStore {
    fn user_and_device(&self, user: UserId, device: DeviceId) -> StoreFuture<'_, (Option<UserRecord>, Option<DeviceRecord>)> {
        Box::pin(self.read(move |conn| Ok((principal::user(conn, user.as_str())?, principal::device(conn, device)?))))
    }

    fn session_holder(&self, user: UserId, device: DeviceId, session: SessionId) -> StoreFuture<'_, Option<SessionHolder>> {
        let now_ms = self.clock.now_ms();
        Box::pin(self.read(move |conn| {
            let (Some(user), Some(device)) = (principal::user(conn, user.as_str())?, principal::device(conn, device)?) else {
                return Ok(None);
            };
            if !super::sessions::session_live(conn, session, &user.id, device.id, now_ms)? {
                return Ok(None);
            }
            let village = if user.role == Role::VillageOfficer { principal::current_village(conn, &user.id, now_ms)? } else { None };
            let tips = if user.role == Role::TownshipInspector { super::tips::of_townships(conn, &user.units)? } else { Vec::new() };
            Ok(Some(SessionHolder { user, device, village, tips }))
        }))
    }

    fn enrol_and_start_session(
        &self,
        user: UserId,
        device: DeviceEnrolment,
        token: RefreshToken,
        settings: SessionSettings,
    ) -> StoreFuture<'_, (u64, Issued)> {
        Box::pin(self.writer.run(move |ctx| {
            let next_seq = ctx.enrol(&user, &device)?;
            Ok((next_seq, ctx.start_session(&user, device.device_id, &token, &settings)?))
        }))
    }

    fn refresh_session(
        &self,
        presented: RefreshToken,
        next: RefreshToken,
        settings: SessionSettings,
    ) -> StoreFuture<'_, Result<Issued, RefreshRefused>> {
        Box::pin(self.writer.run(move |ctx| ctx.refresh_session(&presented, &next, &settings)))
    }

    fn end_session(&self, session: SessionId, why: SessionEnd) -> StoreFuture<'_, ()> {
        Box::pin(self.writer.run(move |ctx| ctx.end_session(session, why)))
    }

    fn replace_password(&self, user: UserId, old: String, new: String) -> StoreFuture<'_, ()> {
        Box::pin(self.writer.run(move |ctx| ctx.replace_password(&user, &old, &new)))
    }
}

impl Pulls for SqliteStore {
    fn pages(&self, cursors: Vec<(Bucket, u64)>, limit: u32, reader: Reader) -> StoreFuture<'_, Vec<BucketPage<Box<RawValue>>>> {
        Box::pin(self.read(move |conn| {
            let mut remaining = limit;
            let mut pages = Vec::with_capacity(cursors.len());
            for (bucket, cursor) in cursors {
                let page = pull::page(conn, &bucket, cursor, remaining, reader)?;
                remaining -= page.events.len() as u32;
                pages.push(page);
            }
            Ok(pages)
        }))
    }

    fn events(&self, buckets: Vec<Bucket>, reader: Reader) -> StoreFuture<'_, Vec<Event>> {
        Box::pin(self.read(move |conn| each_bucket(conn, &buckets, reader, pull::all)))
    }

    fn office_events(&self, buckets: Vec<Bucket>, reader: Reader) -> StoreFuture<'_, Vec<Event>> {
        Box::pin(self.read(move |conn| each_bucket(conn, &buckets, reader, pull::office)))
    }

    fn patrol(&self, scope: BTreeSet<Bucket>, id: EventId) -> StoreFuture<'_, Option<PatrolRecord>> {
        Box::pin(self.read(move |conn| super::patrol_record::patrol(conn, &scope, &id)))
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

impl Evidence for SqliteStore {
    fn blob_access(&self, scope: BTreeSet<Bucket>, user: UserId, hash: BlobHash) -> StoreFuture<'_, BlobAccess> {
        Box::pin(self.read(move |conn| super::evidence::access::blob_access(conn, &scope, &user, &hash)))
    }

    fn missing(&self, scope: BTreeSet<Bucket>, query: MissingQuery) -> StoreFuture<'_, MissingList> {
        Box::pin(self.read(move |conn| super::evidence::access::missing(conn, &scope, &query)))
    }

    fn record_blob(&self, hash: BlobHash, size: u64, media_type: MediaType, holder: UserId) -> StoreFuture<'_, ()> {
        Box::pin(self.writer.run(move |ctx| ctx.record_blob(&hash, size, media_type, &holder)))
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

impl ReferenceData for SqliteStore {
    fn assign(&self, assignment: AssignmentSet) -> StoreFuture<'_, EventId> {
        Box::pin(self.writer.run(move |ctx| ctx.assign(assignment)))
    }

    fn set_disabled(&self, by: UserId, user: UserId, disabled: bool) -> StoreFuture<'_, Option<EventId>> {
        Box::pin(self.writer.run(move |ctx| ctx.set_disabled(by, &user, disabled)))
    }

    fn revoke_device(&self, by: UserId, device: DeviceId) -> StoreFuture<'_, Option<EventId>> {
        Box::pin(self.writer.run(move |ctx| ctx.revoke_device(by, device)))
    }

    fn holds_units(&self) -> StoreFuture<'_, bool> {
        Box::pin(self.read(super::stored_reference::holds_units))
    }

    fn reference_bodies(&self) -> StoreFuture<'_, Vec<Body>> {
        Box::pin(self.read(super::stored_reference::bodies))
    }

    fn author_planned(&self, plan: Planner, passwords: Vec<PasswordHash>, progress: Progress) -> StoreFuture<'_, usize> {
        Box::pin(self.writer.run(move |ctx| {
            let stored = super::stored_reference::bodies(ctx.conn)?;
            let bodies = plan(&stored, ctx.now_ms);
            for body in &bodies {
                ctx.author(body)?;
                progress();
            }
            ctx.set_initial_passwords(&passwords)?;
            Ok(bodies.len())
        }))
    }
}

impl People for SqliteStore {
    fn found_county(&self, county: NewCounty) -> StoreFuture<'_, Vec<EventId>> {
        Box::pin(self.writer.run(move |ctx| ctx.found_county(county)))
    }

    fn enrol_person(&self, user: UserEnrolled, assignment: Option<AssignmentSet>, password: PasswordHash) -> StoreFuture<'_, Vec<EventId>> {
        Box::pin(self.writer.run(move |ctx| ctx.enrol_person(user, assignment, password)))
    }

    fn change_person(&self, change: UserChanged) -> StoreFuture<'_, Option<EventId>> {
        Box::pin(self.writer.run(move |ctx| ctx.change_person(change)))
    }

    fn reset_password(&self, by: Option<UserId>, password: PasswordHash) -> StoreFuture<'_, EventId> {
        Box::pin(self.writer.run(move |ctx| ctx.reset_password(by, password)))
    }

    fn change_password(&self, password: PasswordHash, device: Option<DeviceId>) -> StoreFuture<'_, EventId> {
        Box::pin(self.writer.run(move |ctx| ctx.change_password(password, device)))
    }

    fn log_access(&self, entry: AccessEntry) -> StoreFuture<'_, ()> {
        Box::pin(self.writer.run(move |ctx| ctx.log_access(&entry)))
    }

    fn access_log(&self, query: AccessQuery) -> StoreFuture<'_, AccessLog> {
        Box::pin(self.read(move |conn| super::people::access_log(conn, &query)))
    }
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SqliteStore")
    }
}

/// The events `read` gives for each of `buckets`, one bucket after another.
fn each_bucket(
    conn: &rusqlite::Connection,
    buckets: &[Bucket],
    reader: Reader,
    read: fn(&rusqlite::Connection, &Bucket, Reader) -> Result<Vec<Event>, StoreError>,
) -> Result<Vec<Event>, StoreError> {
    let mut events = Vec::new();
    for bucket in buckets {
        events.extend(read(conn, bucket, reader)?);
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoreError;

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
