//! A replica in a temporary directory with a settable clock, logged in through the same code a
//! real login runs (only the server's answer is written by hand), and chains of other authors'
//! events to pull.

use std::sync::Arc;

use sync_protocol::body::{AssignmentSet, Body, PatrolRecorded, PatrolResult, Role, ZoneDefined};
use sync_protocol::crypto::{DeviceKey, Hash};
use sync_protocol::event::{Event, EventDraft};
use sync_protocol::hlc::Hlc;
use sync_protocol::ids::{DeviceId, EventId, UnitId, UserId, ZoneId};
use sync_protocol::scope::Bucket;
use sync_protocol::values::{Polygon, TrackPoint};
use sync_protocol::wire::{Ack, BucketPage, LoginResponse, SyncResponse};
use uuid::Uuid;

use crate::replica::{Identity, ManualClock, NewPatrol, Replica};
use crate::sync::login::Enrolment;

/// 2025-11-26 12:27:37 county time.
pub const T0: i64 = 1_764_131_257_000;
pub const HOUR: i64 = 3_600_000;
pub const DAY: i64 = 24 * HOUR;
/// Nothing listens here: sync attempts fail fast with a network error.
pub const NOWHERE: &str = "http://127.0.0.1:9";

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub clock: ManualClock,
    pub replica: Replica,
}

impl Fixture {
    /// A replica where `vo-t01-v01` has logged in (token valid one hour).
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        let clock = ManualClock::new(T0);
        let replica = Replica::open_with_clock(dir.path().join("phone.db"), Arc::new(clock.clone())).expect("open");
        let mut f = Fixture { dir, clock, replica };
        f.login("vo-t01-v01", 1);
        f
    }

    pub fn path(&self) -> std::path::PathBuf {
        self.dir.path().join("phone.db")
    }

    /// Logs `username` in as a village officer, as if the server had answered with `next_seq`.
    pub fn login(&mut self, username: &str, next_seq: u64) -> Identity {
        self.login_as(username, Role::VillageOfficer, next_seq)
    }

    /// Logs `username` in with `role`, as if the server had answered with `next_seq`.
    pub fn login_as(&mut self, username: &str, role: Role, next_seq: u64) -> Identity {
        let enrolment = Enrolment::for_user(&self.replica, username).expect("enrolment");
        let response = LoginResponse {
            access_token: format!("token-of-{username}"),
            token_type: "Bearer".into(),
            expires_at: self.clock_now() + HOUR,
            user: UserId::new(username).expect("user"),
            role,
            display_name: format!("Officer {username}"),
            device_id: enrolment.device_id,
            next_seq,
            hlc: Hlc::new(u64::try_from(self.clock_now()).expect("time"), 0),
            refresh_token: format!("refresh-of-{username}"),
            refresh_expires_at: self.clock_now() + 30 * 24 * HOUR,
        };
        enrolment.finish(&mut self.replica, NOWHERE, &crate::replica::Transport::default(), response).expect("login")
    }

    pub fn clock_now(&self) -> i64 {
        self.replica.now_ms()
    }

    pub fn me(&self) -> Identity {
        self.replica.require_active().expect("active identity")
    }

    /// Pulls zone `Z-T01-V01` and its assignment to the active officer from the server.
    pub fn assign_zone(&mut self, server: &mut Chain) {
        let me = self.me();
        let zone = zone_defined();
        let assignment = AssignmentSet { officer: me.user.clone(), zone: Some(zone.zone.clone()), from: T0 - 30 * DAY, by: None };
        let events = vec![server.next(Body::ZoneDefined(zone)), server.next(Body::AssignmentSet(assignment))];
        self.pull(village(), events, 2).expect("pull reference data");
    }

    /// Applies a reply that acks nothing and carries `events` in `bucket`, cursor `cursor`.
    pub fn pull(&mut self, bucket: Bucket, events: Vec<Event>, cursor: u64) -> Result<crate::sync::Applied, crate::SyncError> {
        let me = self.me();
        let reply = reply(vec![], vec![BucketPage { bucket, events, cursor, more: false, withheld: vec![] }], me.next_seq);
        self.replica.apply_reply(me.device_id, &[], &reply)
    }

    pub fn patrol(&mut self, summary: &str) -> EventId {
        let track = track(T0 - 2 * HOUR, 5);
        self.replica.record_patrol(NewPatrol { track, summary: summary.into(), ..NewPatrol::default() }).expect("record patrol")
    }

    /// The own events as stored, in seq order.
    pub fn own_events(&self) -> Vec<Event> {
        let me = self.me();
        let mut all: Vec<Event> = crate::replica::events::all(&self.replica.conn, me.device_id)
            .expect("events")
            .into_iter()
            .filter(|e| e.device_id == me.device_id)
            .collect();
        all.sort_by_key(|e| e.seq);
        all
    }
}

/// A reply with these acks and pages, the server expecting `next_seq`.
pub fn reply(acks: Vec<Ack>, pages: Vec<BucketPage<Event>>, next_seq: u64) -> SyncResponse<Event> {
    SyncResponse { acks, pages, purge: vec![], next_seq, hlc: Hlc::new(u64::try_from(T0).expect("time") + 1_000, 7), witness: None }
}

pub fn village() -> Bucket {
    Bucket::Village(UnitId::new("T01-V01").expect("unit"))
}

pub fn zone_defined() -> ZoneDefined {
    let (lon, lat) = (1_145_000_000, 255_000_000);
    let d = 100_000; // 0.01 degree
    ZoneDefined {
        zone: ZoneId::new("Z-T01-V01").expect("zone"),
        village: UnitId::new("T01-V01").expect("unit"),
        township: UnitId::new("T01").expect("unit"),
        name: "Village one".into(),
        boundary: Polygon(vec![vec![[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]]),
        valid_from: T0 - 365 * DAY,
    }
}

/// `n` points a minute apart walking north-east from the zone's centre.
pub fn track(start: i64, n: i64) -> Vec<TrackPoint> {
    (0..n)
        .map(|i| TrackPoint {
            t: start + i * 60_000,
            lon: 1_145_000_000 + i as i32 * 10_000,
            lat: 255_000_000 + i as i32 * 10_000,
            acc: Some(5),
        })
        .collect()
}

/// Another author's chain (the server's reference data, or another officer's phone).
pub struct Chain {
    pub key: DeviceKey,
    pub device: DeviceId,
    pub author: UserId,
    pub seq: u64,
    pub prev: Hash,
    pub hlc: Hlc,
}

impl Chain {
    pub fn new(author: &str, start_ms: i64) -> Chain {
        Chain {
            key: DeviceKey::from_secret([author.len() as u8; 32]),
            device: DeviceId(Uuid::now_v7()),
            author: UserId::new(author).expect("author"),
            seq: 0,
            prev: Hash::ZERO,
            hlc: Hlc::new(u64::try_from(start_ms).expect("time"), 0),
        }
    }

    pub fn next(&mut self, body: Body) -> Event {
        self.seq += 1;
        self.hlc = self.hlc.tick(0);
        let draft = EventDraft {
            id: EventId(Uuid::now_v7()),
            device_id: self.device,
            seq: self.seq,
            hlc: self.hlc,
            author: self.author.clone(),
            kind: body.kind().into(),
            body: body.to_value(),
            prev: self.prev,
        };
        let event = draft.seal(&self.key).expect("seal");
        self.prev = event.hash;
        event
    }

    /// A patrol of this chain's author in zone `Z-T01-V01`.
    pub fn patrol(&mut self, summary: &str) -> Event {
        let body = PatrolRecorded {
            zone: ZoneId::new("Z-T01-V01").expect("zone"),
            started_at: T0 - 5 * HOUR,
            ended_at: T0 - 4 * HOUR,
            track: track(T0 - 5 * HOUR, 3),
            summary: summary.into(),
            result: PatrolResult::NothingFound,
            mock_fixes: 0,
        };
        self.next(Body::PatrolRecorded(body))
    }
}
