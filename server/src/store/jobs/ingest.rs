//! The writer's side of a push: for each prepared event, read what the store knows, let the pure
//! `admit` decide, and carry the decision out (store, route, quarantine, flag) in the open batch.
//! The rows of the event log themselves are written and read by `store::events`, on either engine.

use std::collections::HashMap;
use sync_protocol::admit::{Admission, Caller, ChainHead, Checked, Stored, admit};
use sync_protocol::body::Body;
use sync_protocol::checks::clock::DeviceClock;
use sync_protocol::event::Event;
use sync_protocol::hlc::Hlc;
use sync_protocol::ids::{DeviceId, EventId, UserId};
use sync_protocol::merkle::LogLeaf;
use sync_protocol::scope::{Bucket, route};
use sync_protocol::wire::{Ack, FlagKind, RejectReason};

use super::StoreError;
use super::WriteCtx;
use super::reference::IngestView;
use crate::args;
use crate::store::checks::Prechecked;
use crate::store::events::{self, Quarantined};
use crate::store::ingest::Pushed;
use crate::store::read_model::Filings;

impl WriteCtx<'_> {
    /// Decides and stores one push sent when the device's clock read `stated` (the request's
    /// `hlc`); returns an ack per event, in order.
    pub fn ingest(&mut self, caller: &Caller, pushed: &[Pushed], stated: Hlc) -> Result<Vec<Ack>, StoreError> {
        self.device_clock = Some(DeviceClock { stated_ms: i64::try_from(stated.ms).unwrap_or(i64::MAX), server_ms: self.now_ms });
        let acks = self.ingest_push(caller, pushed);
        self.device_clock = None;
        acks
    }

    fn ingest_push(&mut self, caller: &Caller, pushed: &[Pushed]) -> Result<Vec<Ack>, StoreError> {
        self.settle_clock_notice(caller)?;
        let mut acks = Vec::with_capacity(pushed.len());
        // The clock of the chain's last accepted event in this push, for the next one's check.
        let mut previous = None;
        // What is stored of the push's events, read at once, and kept up to date as they are stored.
        let ids: Vec<EventId> = pushed
            .iter()
            .filter_map(|p| match p {
                Pushed::Parsed { event, .. } => Some(event.id),
                Pushed::Malformed { .. } => None,
            })
            .collect();
        let mut stored = events::stored_by_ids(self.conn, &ids)?;
        self.filings = Filings::read(self.conn, &ids)?;
        self.read_ahead.read_spans(self.conn, patrol_spans(pushed))?;
        self.read_candidates_ahead(pushed.iter().filter_map(|p| match p {
            Pushed::Parsed { ahead: Some(ahead), .. } => match ahead.as_ref() {
                Prechecked::Patrol(patrol) => Some(&patrol.pre.probes),
                Prechecked::Finding(_) => None,
            },
            _ => None,
        }))?;
        for p in pushed {
            let ack = match p {
                Pushed::Malformed { id, seq, raw, problem } => {
                    self.quarantine(*id, Some(caller.device), *seq, RejectReason::Malformed, problem, raw)?;
                    Ack::rejected(*id, *seq, RejectReason::Malformed, problem.clone())
                }
                Pushed::Parsed { event, raw, checked, ahead } => {
                    self.ingest_one(caller, event, raw, (**checked).clone(), ahead.as_deref(), (&mut stored, &mut previous))?
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
        event: &Event,
        raw: &str,
        checked: Checked,
        ahead: Option<&Prechecked>,
        (stored, previous): (&mut HashMap<EventId, Stored>, &mut Option<i64>),
    ) -> Result<Ack, StoreError> {
        let head = self.head(caller.device)?;
        let by_id = stored.get(&event.id).copied();
        let at_seq = if event.seq <= head.seq { events::stored_at_seq(self.conn, event.device_id, event.seq)? } else { None };
        let admission = {
            let view = IngestView { reference: self.reference, conn: self.conn };
            admit(caller, head, event, checked, by_id, at_seq, &view)?
        };
        let mut ack = admission.ack(event);
        match admission {
            Admission::Accept(body) => {
                ack.buckets = self.append(event, raw, Some(&body), None, ahead)?.1;
                stored.insert(event.id, Stored { id: event.id, hash: event.hash, rejected: None });
                self.check_event_clock(event, previous)?;
            }
            Admission::Duplicate => ack.buckets = events::stored_buckets(self.conn, &event.id)?,
            Admission::AlreadyRejected { .. } => {}
            Admission::Reject { reason, keep: true, .. } => {
                self.store(event, raw, None, Some(reason))?;
                stored.insert(event.id, Stored { id: event.id, hash: event.hash, rejected: Some(reason) });
            }
            Admission::Reject { reason: RejectReason::Gap, .. } => {}
            Admission::Reject { reason, message, .. } => {
                self.quarantine(Some(event.id), Some(event.device_id), Some(event.seq), reason, &message, raw)?;
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
        ahead: Option<&Prechecked>,
    ) -> Result<(i64, Vec<Bucket>), StoreError> {
        let server_seq = events::insert_event(self.conn, &mut self.last_seq, event, raw, body.is_some(), reason, self.now_ms)?;
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
        ahead: Option<&Prechecked>,
    ) -> Result<Vec<Bucket>, StoreError> {
        let buckets = route(event.id, body, &IngestView { reference: self.reference, conn: self.conn })?.buckets();
        events::insert_routes(self.conn, &buckets, server_seq)?;
        self.reference.offices.apply(event);
        super::tips::note(self.conn, event, body)?;
        // A new patrol is checked before its read-model row is written, so that the row goes in
        // with its kept ledger row, which shows the check (`read_model::kept`): not written twice.
        let (checked, ahead) = match body {
            Body::PatrolRecorded(p) => (Some(self.check_new_patrol(event, p, ahead.and_then(Prechecked::patrol))?), None),
            _ => (None, ahead),
        };
        // The reports' read model (its `patrols` row is the one admission and evidence read too).
        let places = (&mut self.reference.places, &mut self.filings);
        crate::store::read_model::apply(self.conn, places, event, body, (server_seq, checked.as_ref()))?;
        match body {
            Body::PatrolRecorded(_) => {}
            Body::FindingReported(f) => self.check_new_finding(event, f, ahead.and_then(Prechecked::finding))?,
            Body::ZeroReportFiled(z) => self.check_new_zero_report(event, z)?,
            Body::AttachmentAdded(a) => self.record_attachment(event, a, server_seq)?,
            Body::FlagReviewed(r) => self.review_flag(event, r)?,
            Body::UserEnrolled(u) => {
                let units = serde_json::to_string(&u.units).map_err(|e| StoreError::encode("a user's units", e))?;
                self.conn.write(
                    "INSERT INTO users (id, display_name, role, units, password_hash, phone) VALUES (?1, ?2, ?3, ?4, '', ?5)
                     ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name, role = excluded.role, units = excluded.units,
                         phone = excluded.phone",
                    args![u.user.as_str(), &u.display_name, u.role.as_str(), units, u.phone.as_deref()],
                )?;
            }
            Body::UserChanged(u) => {
                let units = serde_json::to_string(&u.units).map_err(|e| StoreError::encode("a user's units", e))?;
                let changed = self.conn.run(
                    "UPDATE users SET display_name = ?2, role = ?3, units = ?4, phone = ?5 WHERE id = ?1",
                    args![u.user.as_str(), &u.display_name, u.role.as_str(), units, u.phone.as_deref()],
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

    pub fn head(&mut self, device: DeviceId) -> Result<ChainHead, StoreError> {
        if let Some(head) = self.heads.get(&device) {
            return Ok(*head);
        }
        let head = events::chain_head(self.conn, device)?;
        self.heads.insert(device, head);
        Ok(head)
    }

    fn save_head(&mut self, device: DeviceId) -> Result<(), StoreError> {
        let head = self.head(device)?;
        events::save_head(self.conn, device, head, self.now_ms)
    }

    /// Notes a sync that pushed nothing (a pull): the device took part in a sync now.
    pub fn note_pull(&mut self, device: DeviceId) -> Result<(), StoreError> {
        events::note_pull(self.conn, device, self.now_ms)
    }

    /// Raises a flag that concerns no place in particular (seen by the county).
    pub fn flag(&self, event: Option<EventId>, device: Option<DeviceId>, kind: FlagKind, detail: &str) -> Result<(), StoreError> {
        self.raise(event, device, kind, detail, &crate::store::checks::Place::default())
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
        let id = events::insert_quarantine(self.conn, &Quarantined { event, device, seq, reason, message, raw }, self.now_ms)?;
        self.log_quarantine(id, LogLeaf::quarantined(id as u64, raw, reason))?;
        if reason.is_tampering() {
            self.flag(event, device, FlagKind::Tampering(reason), message)?;
        }
        Ok(())
    }
}

/// The span of each officer's patrols in a push (the earliest and the latest time they state), as
/// their checks computed ahead give them: what the overlap checks will ask of the store.
fn patrol_spans(pushed: &[Pushed]) -> HashMap<UserId, (i64, i64)> {
    let mut spans = HashMap::<UserId, (i64, i64)>::new();
    for p in pushed {
        if let Pushed::Parsed { event, ahead: Some(ahead), .. } = p
            && let Prechecked::Patrol(patrol) = ahead.as_ref()
        {
            let (from, to) = patrol.span;
            let span = spans.entry(event.author.clone()).or_insert((from, to));
            *span = (span.0.min(from), span.1.max(to));
        }
    }
    spans
}
