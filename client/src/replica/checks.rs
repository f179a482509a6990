//! The checks the server makes at ingest, run on the phone, offline, before the officer syncs:
//! the same pure functions over the reference data and patrols this replica holds.
//!
//! The phone checks with the default settings (`CheckConfig::default()`); a county that
//! configures other thresholds on its server sees the server's answer after sync. Plausibility is
//! compared with the patrols this replica holds (the officer's village), the server's with all;
//! copied tracks are looked for in the patrol's zone.

use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap};

use serde::Serialize;
use sync_protocol::body::{Body, PatrolRecorded};
use sync_protocol::checks::licence::{LicenceVerdict, check_finding};
use sync_protocol::checks::licence_history::LicenceHistory;
use sync_protocol::checks::plausibility::{
    FingerprintIndex, OfficerPatrol, PatrolUnderCheck, PlausibilityContext, PlausibilityFlag, TrackProbes, check_plausibility,
};
use sync_protocol::checks::recheck::{CheckConfig, PatrolCheck, check};
use sync_protocol::checks::zone_history::ZoneHistory;
use sync_protocol::event::Event;
use sync_protocol::fold::parts::PartKey;
use sync_protocol::ids::{DeviceId, EventId, UserId, ZoneId};
use sync_protocol::values::TrackPoint;

use super::patrol_index::{DeviceClock, OfficerTimes};
use super::{Replica, ReplicaError, events, patrol_index};

/// What checking many patrols in one pass (the ledger) reads once rather than once per patrol:
/// each officer's and each device's patrol times, each zone's fingerprints, and each copy
/// candidate's track.
#[derive(Debug, Default)]
pub(crate) struct CheckMemo {
    officers: HashMap<UserId, OfficerTimes>,
    clocks: HashMap<DeviceId, DeviceClock>,
    prints: HashMap<ZoneId, FingerprintIndex>,
    tracks: HashMap<EventId, Vec<TrackPoint>>,
}

/// What the phone says of a patrol before it syncs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatrolVerdict {
    /// The geofence report and whether it counts toward the weekly quota.
    pub check: PatrolCheck,
    /// The plausibility flags the server would raise, as far as this replica can tell.
    pub plausibility: Vec<PlausibilityFlag>,
}

impl Replica {
    /// Checks a patrol this replica holds (the active officer's or one pulled): the geofence
    /// against the zone assigned at each fix's time, whether it counts, and its plausibility.
    /// Reads the officer's assignments and their zones, the patrols it may overlap or copy, and
    /// the device's earlier patrols, each by index; never the whole replica.
    pub fn check_patrol(&self, patrol: EventId) -> Result<PatrolVerdict, ReplicaError> {
        let owner = self.require_active()?.device_id;
        let (event, body) = self.stored(owner, patrol, "patrol.recorded", ReplicaError::UnknownPatrol)?;
        let Body::PatrolRecorded(p) = body else { return Err(ReplicaError::UnknownPatrol(patrol)) };
        self.verdict(owner, &event, &p, &self.zone_history(owner, &event.author)?)
    }

    /// The verdict on the patrol `event` records (`p`) against `history`, the zones and
    /// assignments of its officer ([`Replica::zone_history`]).
    pub(crate) fn verdict(
        &self,
        owner: DeviceId,
        event: &Event,
        p: &PatrolRecorded,
        history: &ZoneHistory,
    ) -> Result<PatrolVerdict, ReplicaError> {
        let device_previous_max_t = patrol_index::device_previous_max_t(&self.conn, owner, event.device_id, event.seq)?;
        let mut copies = Vec::new();
        let mut prints = patrol_index::zone_prints(&self.conn, owner, &p.zone)?;
        for id in candidate_ids(&mut prints, event, p) {
            if let (_, Body::PatrolRecorded(other)) = self.stored(owner, id, "patrol.recorded", ReplicaError::UnknownPatrol)? {
                copies.push((id, other.track));
            }
        }
        let candidates: Vec<(EventId, &[TrackPoint])> = copies.iter().map(|(id, track)| (*id, track.as_slice())).collect();
        let officer_patrols = patrol_index::overlapping(&self.conn, owner, &event.author, p.started_at, p.ended_at)?;
        self.verdict_with(event, p, history, &officer_patrols, device_previous_max_t, &candidates)
    }

    /// The verdict of [`Replica::verdict`], for one of many patrols checked in one pass (the
    /// ledger): each officer's and device's patrol times and each candidate's track are read
    /// once, into `memo`.
    pub(crate) fn verdict_in(
        &self,
        owner: DeviceId,
        event: &Event,
        p: &PatrolRecorded,
        history: &ZoneHistory,
        memo: &mut CheckMemo,
    ) -> Result<PatrolVerdict, ReplicaError> {
        let clock = match memo.clocks.entry(event.device_id) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(DeviceClock::of(patrol_index::device_times(&self.conn, owner, event.device_id)?)),
        };
        let device_previous_max_t = clock.before(event.seq);
        let prints = match memo.prints.entry(p.zone.clone()) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(patrol_index::zone_prints(&self.conn, owner, &p.zone)?),
        };
        let ids = candidate_ids(prints, event, p);
        for id in &ids {
            if !memo.tracks.contains_key(id)
                && let (_, Body::PatrolRecorded(other)) = self.stored(owner, *id, "patrol.recorded", ReplicaError::UnknownPatrol)?
            {
                memo.tracks.insert(*id, other.track);
            }
        }
        let candidates: Vec<(EventId, &[TrackPoint])> =
            ids.iter().filter_map(|id| memo.tracks.get(id).map(|track| (*id, track.as_slice()))).collect();
        let officer = match memo.officers.entry(event.author.clone()) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(OfficerTimes::of(patrol_index::officer_times(&self.conn, owner, &event.author)?)),
        };
        let officer_patrols = officer.meeting(p.started_at, p.ended_at);
        self.verdict_with(event, p, history, &officer_patrols, device_previous_max_t, &candidates)
    }

    /// The verdict once the officer's patrols meeting this one's time
    /// ([`patrol_index::overlapping`]), the device's previous time and the candidate copies are
    /// known.
    pub(crate) fn verdict_with(
        &self,
        event: &Event,
        p: &PatrolRecorded,
        history: &ZoneHistory,
        officer_patrols: &[OfficerPatrol],
        device_previous_max_t: Option<i64>,
        candidates: &[(EventId, &[TrackPoint])],
    ) -> Result<PatrolVerdict, ReplicaError> {
        let config = CheckConfig::default();
        let check = check(history, &event.author, &p.track, &config);
        let under = PatrolUnderCheck::of(event.id, &event.author, p);
        let context =
            PlausibilityContext { device_now: self.now_ms(), device_previous_max_t, officer_patrols, duplicate_candidates: candidates };
        let plausibility = check_plausibility(&under, &context, &config.plausibility);
        // A copied track does not count, as on the server.
        let copy_of = plausibility.iter().find_map(|f| match f {
            PlausibilityFlag::DuplicateTrack { of, .. } => Some(*of),
            _ => None,
        });
        let check = match copy_of {
            Some(of) => check.held_as_copy(of, &config.rules),
            None => check,
        };
        Ok(PatrolVerdict { check, plausibility })
    }

    /// Checks a finding this replica holds against the licences in force at its time.
    pub fn check_finding(&self, finding: EventId) -> Result<LicenceVerdict, ReplicaError> {
        let owner = self.require_active()?.device_id;
        let (_, body) = self.stored(owner, finding, "finding.reported", ReplicaError::UnknownFinding)?;
        let Body::FindingReported(f) = body else { return Err(ReplicaError::UnknownFinding(finding)) };
        Ok(check_finding(&f, &self.licence_history(owner)?))
    }

    /// Every licence this replica holds, with its lifecycle, as the licence checks read them.
    pub(crate) fn licence_history(&self, owner: DeviceId) -> Result<LicenceHistory, ReplicaError> {
        let mut licences = LicenceHistory::new();
        for e in events::anchored_between(&self.conn, owner, PartKey::range_of("licence"))? {
            if let Ok(body) = Body::parse(&e.kind, &e.body) {
                licences.apply(&body);
            }
        }
        Ok(licences)
    }

    /// One stored event of `kind` that identity `owner` holds, with its typed body.
    pub(crate) fn stored(
        &self,
        owner: DeviceId,
        id: EventId,
        kind: &str,
        unknown: fn(EventId) -> ReplicaError,
    ) -> Result<(Event, Body), ReplicaError> {
        let raw: String =
            self.conn.prepare_cached(events::BY_ID)?.query_row([owner.to_string(), id.to_string(), kind.into()], |r| r.get(0)).map_err(
                |e| match e {
                    rusqlite::Error::QueryReturnedNoRows => unknown(id),
                    other => other.into(),
                },
            )?;
        let event: Event = serde_json::from_str(&raw)?;
        let body = Body::parse(&event.kind, &event.body).map_err(ReplicaError::corrupt("stored event body"))?;
        Ok((event, body))
    }

    /// The versions of the zones `officer` was ever assigned, and their assignments, in fold order.
    pub(crate) fn zone_history(&self, owner: DeviceId, officer: &UserId) -> Result<ZoneHistory, ReplicaError> {
        let mut history = ZoneHistory::new();
        let mut zones = BTreeSet::new();
        for e in events::anchored(&self.conn, owner, &PartKey::assignments(officer))? {
            if let Ok(Body::AssignmentSet(a)) = Body::parse(&e.kind, &e.body) {
                zones.extend(a.zone.clone());
                history.set_assignment(&a);
            }
        }
        for zone in zones {
            for e in events::anchored(&self.conn, owner, &PartKey::zone(&zone))? {
                if let Ok(Body::ZoneDefined(z)) = Body::parse(&e.kind, &e.body) {
                    history.define_zone(&z);
                }
            }
        }
        Ok(history)
    }
}

/// The other patrols of the same zone (`prints`, [`patrol_index::zone_prints`]) compared in full
/// with the patrol `of` records: those whose kept cells its fixes hit most at one time offset and
/// within the copy distance, by the server's definition (`FingerprintIndex::compared`), in the
/// order of their ids (the first copied one is the one the verdict names, as it was when every
/// patrol sharing a cell was compared). The server looks county-wide; a copy from another zone
/// fails the geofence anyway.
fn candidate_ids(prints: &mut FingerprintIndex, of: &Event, p: &PatrolRecorded) -> Vec<EventId> {
    let rules = CheckConfig::default().plausibility;
    let probes = TrackProbes::of(&p.track, rules.copy_distance_m, rules.copy_time_ms);
    let mut ids = prints.compared(&probes, Some(of.id));
    ids.sort_unstable();
    ids
}
