//! The store's traits that are the same on every engine, written once over [`Backend`]: what an
//! engine gives them is a job of its single writer (on the engine-neutral [`WriteCtx`]) and a read
//! over the SQL layer, and what its writer publishes. Pushes, pulls, sessions, evidence, reference
//! data, people, the reports (`reports`), the audit log and the store itself (`audit`) run so on
//! SQLite and PostgreSQL.

mod audit;
mod reports;

use serde_json::value::RawValue;
use std::collections::BTreeSet;
use std::sync::Arc;
use sync_protocol::admit::Caller;
use sync_protocol::body::{AssignmentSet, BlobHash, Body, MediaType, Role, UserChanged, UserEnrolled};
use sync_protocol::event::Event;
use sync_protocol::hlc::Hlc;
use sync_protocol::ids::{DeviceId, EventId, UserId};
use sync_protocol::scope::Bucket;
use sync_protocol::wire::evidence::{MissingList, MissingQuery};
use sync_protocol::wire::patrol::PatrolRecord;
use sync_protocol::wire::people::{AccessLog, AccessQuery};
use sync_protocol::wire::{Ack, BucketPage, DeviceEnrolment};

use crate::store::batch::Commits;
use crate::store::evidence::{BlobAccess, Evidence};
use crate::store::ingest::{Ingest, Pushed};
use crate::store::jobs::WriteCtx;
use crate::store::log::witness::Latest;
use crate::store::people::{AccessEntry, NewCounty, PasswordHash, People};
use crate::store::principal;
use crate::store::pulls::{Pulls, Reader};
use crate::store::reference::{Planner, Progress, ReferenceData};
use crate::store::sessions::{
    DeviceRecord, Issued, RefreshRefused, RefreshToken, SessionEnd, SessionHolder, SessionId, SessionSettings, Sessions, UserRecord,
};
use crate::store::sql::Sql;
use crate::store::{CheckSnapshot, StoreError, StoreFuture};

/// What an engine gives the shared traits.
pub trait Backend: Send + Sync {
    /// Runs `f` in the writer's next transaction; its result once committed.
    fn job<T, F>(&self, f: F) -> StoreFuture<'_, T>
    where
        T: Send + 'static,
        F: FnMut(&mut WriteCtx<'_>) -> Result<T, StoreError> + Send + 'static;

    /// Runs `f` on a reader, over the SQL layer, on the store's threads.
    fn read_sql<T, F>(&self, f: F) -> StoreFuture<'_, T>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Sql) -> Result<T, StoreError> + Send + 'static;

    /// The reference data the checks read, as the writer last published it.
    fn check_snapshot(&self) -> Arc<CheckSnapshot>;

    /// The wall clock's time, Unix milliseconds.
    fn now_ms(&self) -> i64;

    /// The latest checkpoint of the log the writer signed and published, if any yet.
    fn latest_checkpoint(&self) -> Option<Arc<Latest>>;

    /// The writer's commits as its health shows them (`/readyz`).
    fn commits(&self) -> Commits;

    /// The server's hybrid logical clock, ticked.
    fn tick_hlc(&self) -> Hlc;
}

impl<E: Backend> Ingest for E {
    fn check_snapshot(&self) -> Arc<CheckSnapshot> {
        Backend::check_snapshot(self)
    }

    fn ingest(&self, caller: Caller, pushed: Vec<Pushed>, stated: Hlc) -> StoreFuture<'_, (Vec<Ack>, u64)> {
        self.job(move |ctx| {
            let acks = ctx.ingest(&caller, &pushed, stated)?;
            Ok((acks, ctx.head(caller.device)?.expected_seq()))
        })
    }

    fn note_pull(&self, device: DeviceId) -> StoreFuture<'_, ()> {
        self.job(move |ctx| ctx.note_pull(device))
    }

    fn settle_overdue_cases(&self) -> StoreFuture<'_, usize> {
        self.job(|ctx| ctx.settle_overdue_cases())
    }
}

impl<E: Backend> Sessions for E {
    fn user_and_device(&self, user: UserId, device: DeviceId) -> StoreFuture<'_, (Option<UserRecord>, Option<DeviceRecord>)> {
        self.read_sql(move |conn| Ok((principal::user(conn, user.as_str())?, principal::device(conn, device)?)))
    }

    fn session_holder(&self, user: UserId, device: DeviceId, session: SessionId) -> StoreFuture<'_, Option<SessionHolder>> {
        let now_ms = self.now_ms();
        self.read_sql(move |conn| {
            let (Some(user), Some(device)) = (principal::user(conn, user.as_str())?, principal::device(conn, device)?) else {
                return Ok(None);
            };
            if !crate::store::jobs::sessions::session_live(conn, session, &user.id, device.id, now_ms)? {
                return Ok(None);
            }
            let village = if user.role == Role::VillageOfficer { principal::current_village(conn, &user.id, now_ms)? } else { None };
            let tips =
                if user.role == Role::TownshipInspector { crate::store::jobs::tips::of_townships(conn, &user.units)? } else { Vec::new() };
            Ok(Some(SessionHolder { user, device, village, tips }))
        })
    }

    fn enrol_and_start_session(
        &self,
        user: UserId,
        device: DeviceEnrolment,
        token: RefreshToken,
        settings: SessionSettings,
    ) -> StoreFuture<'_, (u64, Issued)> {
        self.job(move |ctx| {
            let next_seq = ctx.enrol(&user, &device)?;
            Ok((next_seq, ctx.start_session(&user, device.device_id, &token, &settings)?))
        })
    }

    fn refresh_session(
        &self,
        presented: RefreshToken,
        next: RefreshToken,
        settings: SessionSettings,
    ) -> StoreFuture<'_, Result<Issued, RefreshRefused>> {
        self.job(move |ctx| ctx.refresh_session(&presented, &next, &settings))
    }

    fn end_session(&self, session: SessionId, why: SessionEnd) -> StoreFuture<'_, ()> {
        self.job(move |ctx| ctx.end_session(session, why))
    }

    fn replace_password(&self, user: UserId, old: String, new: String) -> StoreFuture<'_, ()> {
        self.job(move |ctx| ctx.replace_password(&user, &old, &new))
    }
}

impl<E: Backend> ReferenceData for E {
    fn assign(&self, assignment: AssignmentSet) -> StoreFuture<'_, EventId> {
        self.job(move |ctx| ctx.assign(assignment.clone()))
    }

    fn set_disabled(&self, by: UserId, user: UserId, disabled: bool) -> StoreFuture<'_, Option<EventId>> {
        self.job(move |ctx| ctx.set_disabled(by.clone(), &user, disabled))
    }

    fn revoke_device(&self, by: UserId, device: DeviceId) -> StoreFuture<'_, Option<EventId>> {
        self.job(move |ctx| ctx.revoke_device(by.clone(), device))
    }

    fn holds_units(&self) -> StoreFuture<'_, bool> {
        self.read_sql(|conn| crate::store::jobs::stored_reference::holds_units(conn))
    }

    fn reference_bodies(&self) -> StoreFuture<'_, Vec<Body>> {
        self.read_sql(|conn| crate::store::jobs::stored_reference::bodies(conn))
    }

    fn author_planned(&self, mut plan: Planner, passwords: Vec<PasswordHash>, progress: Progress) -> StoreFuture<'_, usize> {
        self.job(move |ctx| {
            let stored = crate::store::jobs::stored_reference::bodies(ctx.conn)?;
            let bodies = plan(&stored, ctx.now_ms);
            for body in &bodies {
                ctx.author(body)?;
                progress();
            }
            ctx.set_initial_passwords(&passwords)?;
            Ok(bodies.len())
        })
    }
}

impl<E: Backend> People for E {
    fn found_county(&self, county: NewCounty) -> StoreFuture<'_, Vec<EventId>> {
        self.job(move |ctx| ctx.found_county(county.clone()))
    }

    fn enrol_person(&self, user: UserEnrolled, assignment: Option<AssignmentSet>, password: PasswordHash) -> StoreFuture<'_, Vec<EventId>> {
        self.job(move |ctx| ctx.enrol_person(user.clone(), assignment.clone(), password.clone()))
    }

    fn change_person(&self, change: UserChanged) -> StoreFuture<'_, Option<EventId>> {
        self.job(move |ctx| ctx.change_person(change.clone()))
    }

    fn reset_password(&self, by: Option<UserId>, password: PasswordHash) -> StoreFuture<'_, EventId> {
        self.job(move |ctx| ctx.reset_password(by.clone(), password.clone()))
    }

    fn change_password(&self, password: PasswordHash, device: Option<DeviceId>) -> StoreFuture<'_, EventId> {
        self.job(move |ctx| ctx.change_password(password.clone(), device))
    }

    fn log_access(&self, entry: AccessEntry) -> StoreFuture<'_, ()> {
        self.job(move |ctx| ctx.log_access(&entry))
    }

    fn access_log(&self, query: AccessQuery) -> StoreFuture<'_, AccessLog> {
        self.read_sql(move |conn| crate::store::jobs::people::access_log(conn, &query))
    }
}

impl<E: Backend> Pulls for E {
    fn pages(&self, cursors: Vec<(Bucket, u64)>, limit: u32, reader: Reader) -> StoreFuture<'_, Vec<BucketPage<Box<RawValue>>>> {
        self.read_sql(move |conn| {
            let mut remaining = limit;
            let mut pages = Vec::with_capacity(cursors.len());
            for (bucket, cursor) in cursors {
                let page = crate::store::reads::pull::page(conn, &bucket, cursor, remaining, reader)?;
                remaining -= page.events.len() as u32;
                pages.push(page);
            }
            Ok(pages)
        })
    }

    fn events(&self, buckets: Vec<Bucket>, reader: Reader) -> StoreFuture<'_, Vec<Event>> {
        self.read_sql(move |conn| each_bucket(conn, &buckets, reader, crate::store::reads::pull::all))
    }

    fn office_events(&self, buckets: Vec<Bucket>, reader: Reader) -> StoreFuture<'_, Vec<Event>> {
        self.read_sql(move |conn| each_bucket(conn, &buckets, reader, crate::store::reads::pull::office))
    }

    fn patrol(&self, scope: BTreeSet<Bucket>, id: EventId) -> StoreFuture<'_, Option<PatrolRecord>> {
        self.read_sql(move |conn| crate::store::reads::patrol_record::patrol(conn, &scope, &id))
    }
}

impl<E: Backend> Evidence for E {
    fn blob_access(&self, scope: BTreeSet<Bucket>, user: UserId, hash: BlobHash) -> StoreFuture<'_, BlobAccess> {
        self.read_sql(move |conn| crate::store::reads::evidence::blob_access(conn, &scope, &user, &hash))
    }

    fn missing(&self, scope: BTreeSet<Bucket>, query: MissingQuery) -> StoreFuture<'_, MissingList> {
        self.read_sql(move |conn| crate::store::reads::evidence::missing(conn, &scope, &query))
    }

    fn record_blob(&self, hash: BlobHash, size: u64, media_type: MediaType, holder: UserId) -> StoreFuture<'_, ()> {
        self.job(move |ctx| ctx.record_blob(&hash, size, media_type, &holder))
    }
}

/// A read of one bucket's events.
type BucketRead = fn(&dyn Sql, &Bucket, Reader) -> Result<Vec<Event>, StoreError>;

/// The events `read` gives for each of `buckets`, one bucket after another.
fn each_bucket(conn: &dyn Sql, buckets: &[Bucket], reader: Reader, read: BucketRead) -> Result<Vec<Event>, StoreError> {
    let mut events = Vec::new();
    for bucket in buckets {
        events.extend(read(conn, bucket, reader)?);
    }
    Ok(events)
}
