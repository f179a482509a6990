//! Convergence, as a property: random offline histories of several devices, synced in random
//! interleavings with resent, reordered and interrupted requests, through the real admission
//! rules, routing and fold. Afterwards every replica's projection of its scope equals the
//! server's projection of that scope, and the server holds every event exactly once.
//!
//! The server here is a model (a Vec for a log, maps for chain heads) so the property can run
//! thousands of histories; tests/ runs the same scenario against the real server and replicas.

use proptest::prelude::*;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::convert::Infallible;
use sync_protocol::admit::{Admission, Authority, Caller, ChainHead, Checked, Stored, admit};
use sync_protocol::body::{Body, Role};
use sync_protocol::crypto::{DeviceKey, Hash};
use sync_protocol::event::{Event, EventDraft};
use sync_protocol::fold::Projection;
use sync_protocol::hlc::Hlc;
use sync_protocol::ids::{DeviceId, EventId, LicenceId, UnitId, UserId, ZoneId};
use sync_protocol::scope::{Bucket, RoutingIndex, route};
use sync_protocol::values::IsoWeek;
use sync_protocol::wire::AckStatus;

const T0: i64 = 1_767_196_800_000; // 2026-01-01T00:00+08:00

fn unit(s: &str) -> UnitId {
    UnitId::new(s).expect("unit")
}

fn zone_of_village(v: &str) -> ZoneId {
    ZoneId::new(format!("Z-{v}")).expect("zone")
}

/// The model server: a log in commit order, chain heads, and the reference data of two villages
/// of one township, each with its officer.
#[derive(Default)]
struct ModelServer {
    log: Vec<(Event, Vec<Bucket>)>,
    heads: HashMap<DeviceId, ChainHead>,
    by_id: HashMap<EventId, (DeviceId, u64, Hash)>,
    patrols: HashMap<EventId, (UserId, ZoneId)>,
}

impl RoutingIndex for ModelServer {
    type Error = Infallible;
    fn zone_village(&self, zone: &ZoneId) -> Result<Option<UnitId>, Infallible> {
        Ok(zone.as_str().strip_prefix("Z-").map(unit))
    }
    fn parent(&self, u: &UnitId) -> Result<Option<UnitId>, Infallible> {
        Ok(u.as_str().split('-').next().map(unit))
    }
    fn patrol_zone(&self, patrol: &EventId) -> Result<Option<ZoneId>, Infallible> {
        Ok(self.patrols.get(patrol).map(|(_, z)| z.clone()))
    }
    fn officer_zone(&self, _: &UserId) -> Result<Option<ZoneId>, Infallible> {
        Ok(None)
    }
    fn licence_villages(&self, licence: &LicenceId) -> Result<BTreeSet<UnitId>, Infallible> {
        let bodies = self.log.iter().filter_map(|(e, _)| Body::parse(&e.kind, &e.body).ok());
        Ok(bodies
            .flat_map(|b| match b {
                Body::LicenceGranted(g) if &g.licence == licence => g.villages,
                Body::LicenceChanged(c) if &c.licence == licence => c.villages.unwrap_or_default(),
                _ => Vec::new(),
            })
            .collect())
    }
    // The model's devices record patrols, findings and zero reports: no tips or cases.
    fn tip_township(&self, _: &EventId) -> Result<Option<UnitId>, Infallible> {
        Ok(None)
    }
    fn case_township(&self, _: &EventId) -> Result<Option<UnitId>, Infallible> {
        Ok(None)
    }
    fn finding_zone(&self, _: &EventId) -> Result<Option<ZoneId>, Infallible> {
        Ok(None)
    }
}

impl Authority for ModelServer {
    type Error = Infallible;
    fn was_assigned(&self, officer: &UserId, zone: &ZoneId, _: i64, _: i64) -> Result<bool, Infallible> {
        Ok(officer.as_str().strip_prefix("vo-").map(|v| zone_of_village(&v.to_uppercase())) == Some(zone.clone()))
    }
    fn had_any_zone(&self, _: &UserId, _: i64, _: i64) -> Result<bool, Infallible> {
        Ok(true)
    }
    fn patrol_author(&self, patrol: &EventId) -> Result<Option<UserId>, Infallible> {
        Ok(self.patrols.get(patrol).map(|(u, _)| u.clone()))
    }
    fn case_township(&self, _: &EventId) -> Result<Option<UnitId>, Infallible> {
        Ok(None)
    }
    fn case_stage_after(&self, _: &EventId, _: &EventId) -> Result<sync_protocol::fold::StepStage, Infallible> {
        Ok(sync_protocol::fold::StepStage::NotHeld)
    }
    // The model's devices record patrols only: no attachment names a subject it holds.
    fn subject(&self, _: &sync_protocol::body::Subject) -> Result<Option<sync_protocol::admit::SubjectFacts>, Infallible> {
        Ok(None)
    }
    fn inspects(&self, _: &UserId, _: &UnitId) -> Result<bool, Infallible> {
        Ok(false)
    }
}

impl ModelServer {
    fn push(&mut self, caller: &Caller, events: &[Event]) -> Vec<(EventId, AckStatus, Option<u64>)> {
        events
            .iter()
            .map(|e| {
                let head = *self.heads.get(&caller.device).unwrap_or(&ChainHead::EMPTY);
                let by_id = self.by_id.get(&e.id).map(|(_, _, hash)| Stored { id: e.id, hash: *hash, rejected: None });
                let at_seq = self.by_id.iter().find(|(_, (d, s, _))| *d == e.device_id && *s == e.seq).map(|(id, (_, _, h))| Stored {
                    id: *id,
                    hash: *h,
                    rejected: None,
                });
                let Ok(admission) = admit(caller, head, e, Checked::of(e, &key_of(caller.device).public()), by_id, at_seq, &*self);
                let ack = admission.ack(e);
                if admission.advances_chain() {
                    self.heads.insert(caller.device, ChainHead { seq: e.seq, hash: e.hash });
                    self.by_id.insert(e.id, (e.device_id, e.seq, e.hash));
                }
                if let Admission::Accept(body) = &admission {
                    if let Body::PatrolRecorded(p) = body {
                        self.patrols.insert(e.id, (e.author.clone(), p.zone.clone()));
                    }
                    let Ok(routes) = route(e.id, body, &*self);
                    let buckets = routes.buckets();
                    self.log.push((e.clone(), buckets));
                }
                (e.id, ack.status, ack.expected_seq)
            })
            .collect()
    }

    /// Events of `bucket` after `cursor` (a cursor is a position in the log), at most `limit`.
    fn pull(&self, bucket: &Bucket, cursor: usize, limit: usize) -> (Vec<Event>, usize) {
        let mut out = Vec::new();
        let mut last = cursor;
        for (i, (e, buckets)) in self.log.iter().enumerate().skip(cursor) {
            if out.len() == limit {
                break;
            }
            last = i + 1;
            if buckets.contains(bucket) || *bucket == Bucket::County {
                out.push(e.clone());
            }
        }
        (out, last)
    }

    fn projection(&self, bucket: &Bucket) -> Projection {
        Projection::fold(self.log.iter().filter(|(_, b)| b.contains(bucket)).map(|(e, _)| e))
    }
}

fn key_of(device: DeviceId) -> DeviceKey {
    DeviceKey::from_secret(*device.0.as_bytes().first_chunk::<32>().unwrap_or(&[device.0.as_bytes()[15]; 32]))
}

/// A device replica, reduced to what sync decides: its chain, its outbox, its cursors, what it pulled.
struct Replica {
    caller: Caller,
    zone: ZoneId,
    bucket: Bucket,
    own: Vec<Event>,
    sent: BTreeSet<u64>,
    cursor: usize,
    pulled: BTreeMap<EventId, Event>,
    hlc: Hlc,
}

impl Replica {
    fn new(n: u8, village: &str, bucket: Bucket) -> Replica {
        let officer = format!("vo-{}", village.to_lowercase());
        Replica {
            caller: Caller {
                user: UserId::new(officer).expect("user"),
                device: DeviceId(uuid::Uuid::from_u128(u128::from(n) + 1)),
                role: Role::VillageOfficer,
            },
            zone: zone_of_village(village),
            bucket,
            own: Vec::new(),
            sent: BTreeSet::new(),
            cursor: 0,
            pulled: BTreeMap::new(),
            hlc: Hlc::ZERO,
        }
    }

    fn record(&mut self, action: u8, clock: i64, ids: &mut u128) {
        self.hlc = self.hlc.tick(u64::try_from(clock).unwrap_or(0));
        let own_patrols: Vec<EventId> = self.own.iter().filter(|e| e.kind == "patrol.recorded").map(|e| e.id).collect();
        let (kind, body) = match (action % 3, own_patrols.last()) {
            (1, Some(p)) => ("patrol.amended", json!({"v": 1, "patrol": p, "summary": format!("amended {action}"), "reason": "typo"})),
            (2, _) => {
                let week = IsoWeek::of_ms(T0 + i64::from(action % 4) * 7 * 86_400_000);
                ("zero_report.filed", json!({"v": 2, "officer": self.caller.user, "week": week, "zone": self.zone}))
            }
            _ => (
                "patrol.recorded",
                json!({"v": 1, "zone": self.zone, "started_at": clock, "ended_at": clock + 1_800_000,
                   "track": [[clock, 1_145_000_000, 255_000_000]], "summary": format!("walk {action}"), "result": "nothing_found"}),
            ),
        };
        *ids += 1;
        let draft = EventDraft {
            id: EventId(uuid::Uuid::from_u128(*ids)),
            device_id: self.caller.device,
            seq: self.own.len() as u64 + 1,
            hlc: self.hlc,
            author: self.caller.user.clone(),
            kind: kind.into(),
            body,
            prev: self.own.last().map_or(Hash::ZERO, |e| e.hash),
        };
        self.own.push(draft.seal(&key_of(self.caller.device)).expect("seal"));
    }

    fn sync(&mut self, server: &mut ModelServer, mode: SyncMode) {
        let mut batch: Vec<Event> = match mode {
            SyncMode::ResendAll => self.own.clone(),
            _ => self.own.iter().filter(|e| !self.sent.contains(&e.seq)).cloned().collect(),
        };
        if mode == SyncMode::Reordered {
            batch.reverse();
        }
        let acks = server.push(&self.caller, &batch);
        if mode == SyncMode::ReplyLost {
            return;
        }
        for (id, status, expected) in acks {
            let seq = self.own.iter().find(|e| e.id == id).map_or(0, |e| e.seq);
            match (status, expected) {
                (AckStatus::Accepted | AckStatus::Duplicate, _) => {
                    self.sent.insert(seq);
                }
                (AckStatus::Rejected, Some(from)) => self.sent.retain(|s| *s < from),
                (AckStatus::Rejected, None) => panic!("a valid event of its own author was rejected without a resend hint"),
            }
        }
        loop {
            let (events, cursor) = server.pull(&self.bucket, self.cursor, 3);
            let done = cursor == self.cursor;
            self.cursor = cursor;
            for e in events {
                self.hlc = self.hlc.merge(e.hlc, 0);
                self.pulled.insert(e.id, e);
            }
            if done {
                break;
            }
        }
    }

    /// The replica's view: what it pulled plus what it has not yet seen come back.
    fn projection(&self) -> Projection {
        Projection::fold(self.pulled.values().chain(self.own.iter()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum SyncMode {
    Normal,
    ResendAll,
    Reordered,
    ReplyLost,
}

fn step() -> impl Strategy<Value = (u8, bool, u8, u8)> {
    (0u8..4, any::<bool>(), any::<u8>(), 0u8..4)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn every_replica_converges_to_the_servers_projection_of_its_scope(steps in prop::collection::vec(step(), 1..60)) {
        let mut server = ModelServer::default();
        let mut replicas = vec![
            Replica::new(0, "T01-V01", Bucket::Village(unit("T01-V01"))),
            Replica::new(1, "T01-V01", Bucket::Village(unit("T01-V01"))), // a second phone in the same village
            Replica::new(2, "T01-V02", Bucket::Village(unit("T01-V02"))),
        ];
        // Each replica's own officer: the second phone belongs to another officer of the same village.
        replicas[1].caller.user = UserId::new("vo-t01-v01").expect("user");
        let mut inspector_cursor = 0;
        let mut inspector: BTreeMap<EventId, Event> = BTreeMap::new();
        let mut ids = 0u128;
        let mut clock = T0;
        for (who, record, action, mode) in steps {
            clock += 60_000 + i64::from(action) * 1_000;
            let r = &mut replicas[usize::from(who) % 3];
            if record || who == 3 {
                r.record(action, clock, &mut ids);
            } else {
                let mode = [SyncMode::Normal, SyncMode::ResendAll, SyncMode::Reordered, SyncMode::ReplyLost][usize::from(mode)];
                r.sync(&mut server, mode);
            }
            if who == 3 {
                let (events, cursor) = server.pull(&Bucket::Township(unit("T01")), inspector_cursor, 5);
                inspector_cursor = cursor;
                inspector.extend(events.into_iter().map(|e| (e.id, e)));
            }
        }
        // Everyone comes online at the end and syncs until nothing is pending.
        for _ in 0..3 {
            for r in &mut replicas {
                r.sync(&mut server, SyncMode::Normal);
            }
        }
        for r in &replicas {
            prop_assert_eq!(r.sent.len(), r.own.len(), "nothing pending");
            prop_assert_eq!(r.projection(), server.projection(&r.bucket));
        }
        let ids: BTreeSet<EventId> = server.log.iter().map(|(e, _)| e.id).collect();
        prop_assert_eq!(ids.len(), server.log.len(), "no event stored twice");
        prop_assert_eq!(server.log.len(), replicas.iter().map(|r| r.own.len()).sum::<usize>());
        loop {
            let (events, cursor) = server.pull(&Bucket::Township(unit("T01")), inspector_cursor, 5);
            if cursor == inspector_cursor { break; }
            inspector_cursor = cursor;
            inspector.extend(events.into_iter().map(|e| (e.id, e)));
        }
        prop_assert_eq!(Projection::fold(inspector.values()), server.projection(&Bucket::Township(unit("T01"))));
    }
}
