//! The writer's side of a push: for each prepared event, read what the store knows, let the pure
//! `admit` decide, and carry the decision out (store, route, quarantine, flag) in the open batch.

use rusqlite::{OptionalExtension, params};
use sync_protocol::admit::{Admission, Caller, ChainHead, Checked, Stored, admit};
use sync_protocol::body::Body;
use sync_protocol::checks::clock::DeviceClock;
use sync_protocol::crypto::Hash;
use sync_protocol::event::Event;
use sync_protocol::hlc::Hlc;
use sync_protocol::ids::{DeviceId, EventId};
use sync_protocol::merkle::LogLeaf;
use sync_protocol::scope::{Bucket, Routes, route};
use sync_protocol::wire::{Ack, FlagKind, RejectReason};

use super::StoreError;
use super::checks::Prechecked;
use super::reference::IngestView;
use super::writer::WriteCtx;
use crate::store::ingest::Pushed;

impl WriteCtx<'_> {
    /// Decides and stores one push sent when the device's clock read `stated` (the request's
    /// `hlc`); returns an ack per event, in order.
    pub fn ingest(&mut self, caller: &Caller, pushed: Vec<Pushed>, stated: Hlc) -> Result<Vec<Ack>, StoreError> {
        self.device_clock = Some(DeviceClock { stated_ms: i64::try_from(stated.ms).unwrap_or(i64::MAX), server_ms: self.now_ms });
        let acks = self.ingest_push(caller, pushed);
        self.device_clock = None;
        acks
    }

    fn ingest_push(&mut self, caller: &Caller, pushed: Vec<Pushed>) -> Result<Vec<Ack>, StoreError> {
        self.settle_clock_notice(caller)?;
        let mut acks = Vec::with_capacity(pushed.len());
        // The clock of the chain's last accepted event in this push, for the next one's check.
        let mut previous = None;
        for p in pushed {
            let ack = match p {
                Pushed::Malformed { id, seq, raw, problem } => {
                    self.quarantine(id, Some(caller.device), seq, RejectReason::Malformed, &problem, &raw)?;
                    Ack::rejected(id, seq, RejectReason::Malformed, problem)
                }
                Pushed::Parsed { event, raw, checked, ahead } => {
                    self.ingest_one(caller, *event, raw, *checked, ahead.map(|a| *a), &mut previous)?
                }
            };
            acks.push(ack);
        }
        self.save_head(caller.device)?;
        Ok(acks)
    }

    fn ingest_one(
        &mut self,
        caller: &Caller,
        event: Event,
        raw: String,
        checked: Checked,
        ahead: Option<Prechecked>,
        previous: &mut Option<i64>,
    ) -> Result<Ack, StoreError> {
        let head = self.head(caller.device)?;
        let by_id = self.stored_by_id(&event.id)?;
        let at_seq = if event.seq <= head.seq { self.stored_at_seq(event.device_id, event.seq)? } else { None };
        let admission = {
            let view = IngestView { reference: self.reference, conn: self.conn };
            admit(caller, head, &event, checked, by_id, at_seq, &view)?
        };
        let mut ack = admission.ack(&event);
        match admission {
            Admission::Accept(body) => {
                ack.buckets = self.append(&event, &raw, Some(&body), None, ahead)?.1;
                self.check_event_clock(&event, previous)?;
            }
            Admission::Duplicate => ack.buckets = self.stored_buckets(&event.id)?,
            Admission::AlreadyRejected { .. } => {}
            Admission::Reject { reason, keep: true, .. } => {
                self.store(&event, &raw, None, Some(reason))?;
            }
            Admission::Reject { reason: RejectReason::Gap, .. } => {}
            Admission::Reject { reason, message, .. } => {
                self.quarantine(Some(event.id), Some(event.device_id), Some(event.seq), reason, &message, &raw)?;
            }
        }
        Ok(ack)
    }

    /// Appends an event to the log. `body` is set for accepted events (routed and applied to the
    /// read model); `reason` for authentic events kept as rejected evidence.
    pub fn store(&mut self, event: &Event, raw: &str, body: Option<&Body>, reason: Option<RejectReason>) -> Result<i64, StoreError> {
        Ok(self.append(event, raw, body, reason, None)?.0)
    }

    /// [`WriteCtx::store`], also returning the buckets an accepted event is routed to; `ahead` is
    /// the part of its checks the prepare step computed, if any.
    fn append(
        &mut self,
        event: &Event,
        raw: &str,
        body: Option<&Body>,
        reason: Option<RejectReason>,
        ahead: Option<Prechecked>,
    ) -> Result<(i64, Vec<Bucket>), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO events (id, device_id, seq, hlc, author, kind, hash, raw, accepted, reason, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                event.id.0.as_bytes(),
                event.device_id.0.as_bytes(),
                event.seq,
                event.hlc.to_string(),
                event.author.as_str(),
                event.kind,
                event.hash.0,
                raw,
                body.is_some(),
                reason.map(RejectReason::as_str),
                self.now_ms
            ])?;
        let server_seq = self.conn.last_insert_rowid();
        let leaf = match reason {
            None => LogLeaf::Event { server_seq: server_seq as u64, hash: event.hash },
            Some(reason) => LogLeaf::RejectedEvent { server_seq: server_seq as u64, hash: event.hash, reason },
        };
        self.log_event(server_seq, leaf)?;
        self.heads.insert(event.device_id, ChainHead { seq: event.seq, hash: event.hash });
        let buckets = match body {
            Some(body) => self.route_and_apply(event, body, server_seq, ahead)?,
            None => Vec::new(),
        };
        Ok((server_seq, buckets))
    }

    fn route_and_apply(
        &mut self,
        event: &Event,
        body: &Body,
        server_seq: i64,
        ahead: Option<Prechecked>,
    ) -> Result<Vec<Bucket>, StoreError> {
        let buckets = route(event.id, body, &IngestView { reference: self.reference, conn: self.conn })?.buckets();
        let mut insert = self.conn.prepare_cached("INSERT INTO event_routes (bucket, server_seq) VALUES (?1, ?2)")?;
        for bucket in &buckets {
            insert.execute(params![bucket.to_string(), server_seq])?;
        }
        self.reference.offices.apply(event);
        super::tips::note(self.conn, event, body)?;
        // The reports' read model (its `patrols` row is the one admission and evidence read too).
        super::read_model::apply(self.conn, &mut self.reference.places, event, body, server_seq)?;
        match body {
            Body::PatrolRecorded(p) => self.check_new_patrol(event, p, ahead.and_then(Prechecked::patrol))?,
            Body::FindingReported(f) => self.check_new_finding(event, f, ahead.and_then(Prechecked::finding))?,
            Body::ZeroReportFiled(z) => self.check_new_zero_report(event, z)?,
            Body::AttachmentAdded(a) => self.record_attachment(event, a, server_seq)?,
            Body::FlagReviewed(r) => self.review_flag(event, r)?,
            Body::UserEnrolled(u) => {
                let units = serde_json::to_string(&u.units).map_err(|e| StoreError::encode("a user's units", e))?;
                self.conn.execute(
                    "INSERT INTO users (id, display_name, role, units, password_hash, phone) VALUES (?1, ?2, ?3, ?4, '', ?5)
                     ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name, role = excluded.role, units = excluded.units,
                         phone = excluded.phone",
                    params![u.user.as_str(), u.display_name, u.role.as_str(), units, u.phone],
                )?;
            }
            Body::UserChanged(u) => {
                let units = serde_json::to_string(&u.units).map_err(|e| StoreError::encode("a user's units", e))?;
                let changed = self.conn.execute(
                    "UPDATE users SET display_name = ?2, role = ?3, units = ?4, phone = ?5 WHERE id = ?1",
                    params![u.user.as_str(), u.display_name, u.role.as_str(), units, u.phone],
                )?;
                if changed != 1 {
                    return Err(StoreError::not_found(super::Entity::User, &u.user));
                }
            }
            // The password itself is set by the job that authors these (`people.rs`).
            Body::PasswordChanged(_) | Body::PasswordReset(_) => {}
            Body::UserDisabled(_) | Body::UserEnabled(_) | Body::DeviceRevoked(_) => super::access::apply(self.conn, body, self.now_ms)?,
            other => {
                if let Some(changed) = self.reference.apply(self.conn, other, server_seq)? {
                    self.recheck(&changed)?;
                }
            }
        }
        Ok(buckets)
    }

    /// The buckets a stored event was routed to (none when it was kept as rejected), read from
    /// `event_routes` by its `server_seq`. That table's key is (bucket, server_seq), so the
    /// lookup walks the distinct buckets (a few hundred in a county) and probes the key for each,
    /// rather than scanning every route.
    fn stored_buckets(&self, id: &EventId) -> Result<Vec<Bucket>, StoreError> {
        let server_seq: Option<i64> = self
            .conn
            .prepare_cached("SELECT server_seq FROM events WHERE id = ?1 AND accepted = 1")?
            .query_row([id.0.as_bytes()], |r| r.get(0))
            .optional()?;
        let Some(server_seq) = server_seq else { return Ok(Vec::new()) };
        let mut stmt = self.conn.prepare_cached(
            "WITH RECURSIVE b(bucket) AS (
                 SELECT min(bucket) FROM event_routes
                 UNION ALL
                 SELECT (SELECT min(r.bucket) FROM event_routes r WHERE r.bucket > b.bucket) FROM b WHERE b.bucket IS NOT NULL
             )
             SELECT bucket FROM b
             WHERE bucket IS NOT NULL AND EXISTS (SELECT 1 FROM event_routes r WHERE r.bucket = b.bucket AND r.server_seq = ?1)",
        )?;
        let mut routes = Routes::default();
        for b in stmt.query_map([server_seq], |r| r.get::<_, String>(0))? {
            let b = b?;
            match b.parse() {
                Ok(Bucket::Village(v)) => routes.villages.insert(v),
                Ok(Bucket::Township(t)) => routes.townships.insert(t),
                Ok(Bucket::Tip(t)) => routes.tips.insert(t),
                _ => return Err(StoreError::corrupt("event_routes", format!("bucket {b}"))),
            };
        }
        // In the order an accepted event's ack lists them.
        Ok(routes.buckets())
    }

    pub fn head(&mut self, device: DeviceId) -> Result<ChainHead, StoreError> {
        if let Some(head) = self.heads.get(&device) {
            return Ok(*head);
        }
        let row: Option<(u64, Vec<u8>)> = self
            .conn
            .prepare_cached("SELECT head_seq, head_hash FROM devices WHERE id = ?1")?
            .query_row([device.0.as_bytes()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let (seq, hash) = row.ok_or_else(|| StoreError::not_found(super::Entity::Device, device))?;
        let hash: [u8; 32] = hash.try_into().map_err(|_| StoreError::corrupt("devices", format!("head hash of {device}")))?;
        let head = ChainHead { seq, hash: Hash(hash) };
        self.heads.insert(device, head);
        Ok(head)
    }

    fn save_head(&mut self, device: DeviceId) -> Result<(), StoreError> {
        let head = self.head(device)?;
        self.conn
            .prepare_cached("UPDATE devices SET head_seq = ?2, head_hash = ?3, last_sync_at = ?4 WHERE id = ?1 AND head_seq <= ?2")?
            .execute(params![device.0.as_bytes(), head.seq, head.hash.0, self.now_ms])?;
        Ok(())
    }

    /// Notes a sync that pushed nothing (a pull): the device took part in a sync now.
    pub fn note_pull(&mut self, device: DeviceId) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("UPDATE devices SET last_sync_at = ?2 WHERE id = ?1")?
            .execute(params![device.0.as_bytes(), self.now_ms])?;
        Ok(())
    }

    fn stored_by_id(&self, id: &EventId) -> Result<Option<Stored>, StoreError> {
        self.lookup("SELECT id, hash, reason FROM events WHERE id = ?1", params![id.0.as_bytes()])
    }

    fn stored_at_seq(&self, device: DeviceId, seq: u64) -> Result<Option<Stored>, StoreError> {
        self.lookup("SELECT id, hash, reason FROM events WHERE device_id = ?1 AND seq = ?2", params![device.0.as_bytes(), seq])
    }

    fn lookup(&self, sql: &str, args: impl rusqlite::Params) -> Result<Option<Stored>, StoreError> {
        let row: Option<(Vec<u8>, Vec<u8>, Option<String>)> =
            self.conn.prepare_cached(sql)?.query_row(args, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).optional()?;
        row.map(|(id, hash, reason)| {
            let id = uuid::Uuid::from_slice(&id).map_err(|_| StoreError::corrupt("events", "id"))?;
            let hash: [u8; 32] = hash.try_into().map_err(|_| StoreError::corrupt("events", "hash"))?;
            let rejected =
                reason.map(|r| RejectReason::parse(&r).ok_or_else(|| StoreError::corrupt("events", format!("reason {r}")))).transpose()?;
            Ok(Stored { id: EventId(id), hash: Hash(hash), rejected })
        })
        .transpose()
    }

    /// Raises a flag that concerns no place in particular (seen by the county).
    pub fn flag(&self, event: Option<EventId>, device: Option<DeviceId>, kind: FlagKind, detail: &str) -> Result<(), StoreError> {
        self.raise(event, device, kind, detail, &super::checks::Place::default())
    }

    fn quarantine(
        &mut self,
        event: Option<EventId>,
        device: Option<DeviceId>,
        seq: Option<u64>,
        reason: RejectReason,
        message: &str,
        raw: &str,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO quarantine (event_id, device_id, seq, reason, message, raw, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                event.map(|e| e.0.as_bytes().to_vec()),
                device.map(|d| d.0.as_bytes().to_vec()),
                seq,
                reason.as_str(),
                message,
                raw,
                self.now_ms
            ])?;
        let id = self.conn.last_insert_rowid();
        self.log_quarantine(id, LogLeaf::quarantined(id as u64, raw, reason))?;
        if reason.is_tampering() {
            self.flag(event, device, FlagKind::Tampering(reason), message)?;
        }
        Ok(())
    }
}
