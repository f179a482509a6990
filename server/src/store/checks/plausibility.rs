//! A new patrol's plausibility: the context the pure rules compare it with (the device's earlier
//! patrols, the officer's other patrols, tracks sharing its fingerprint) read from the store, and
//! the flags raised. The fingerprint is stored so that later copies find this track.

use rusqlite::{OptionalExtension, params};
use sync_protocol::body::{Body, PatrolRecorded};
use sync_protocol::checks::plausibility::{OfficerPatrol, PatrolUnderCheck, PlausibilityContext, TrackFingerprint, check_plausibility};
use sync_protocol::event::Event;
use sync_protocol::ids::EventId;
use sync_protocol::values::TrackPoint;

use super::flags::Place;
use super::history::stored_event;
use crate::store::{StoreError, WriteCtx};

/// At most this many earlier patrols, those sharing the most fingerprint values, are compared in
/// full (a copy shares nearly all of them).
const MAX_DUPLICATE_CANDIDATES: usize = 8;

impl WriteCtx<'_> {
    /// Checks an accepted patrol's plausibility and raises its flags; returns its fingerprint's
    /// values (to store with its check) after adding them to the writer's index. Runs before the
    /// patrol's own `patrol_checks` row is written.
    pub(super) fn check_plausibility(
        &mut self,
        event: &Event,
        patrol: &PatrolRecorded,
        place: &Place,
    ) -> Result<Option<Vec<u64>>, StoreError> {
        let under = PatrolUnderCheck::of(event.id, &event.author, patrol);
        let fingerprint = TrackFingerprint::of(&patrol.track);
        let candidates = match &fingerprint {
            Some(f) => self.tracks_sharing(f)?,
            None => Vec::new(),
        };
        let candidate_refs: Vec<(EventId, &[TrackPoint])> = candidates.iter().map(|(id, t)| (*id, t.as_slice())).collect();
        let officer_patrols = self.officer_patrols(event, under.earliest_t(), under.latest_t())?;
        let context = PlausibilityContext {
            received_at: self.now_ms,
            device_previous_max_t: self.device_latest_t(event)?,
            officer_patrols: &officer_patrols,
            duplicate_candidates: &candidate_refs,
        };
        for flag in check_plausibility(&under, &context, &self.checks.plausibility) {
            self.raise(Some(event.id), Some(event.device_id), flag.kind(), &flag.detail(), place)?;
        }
        if let Some(f) = &fingerprint {
            self.reference.fingerprints.insert(event.id, &f.values);
        }
        self.conn
            .prepare_cached(
                "INSERT INTO device_clocks (device_id, latest_t) VALUES (?1, ?2)
                 ON CONFLICT (device_id) DO UPDATE SET latest_t = max(latest_t, excluded.latest_t)",
            )?
            .execute(params![event.device_id.0.as_bytes(), under.latest_t()])?;
        Ok(fingerprint.map(|f| f.values))
    }

    /// Earlier patrols whose fingerprints share a value with `f`, with their tracks.
    fn tracks_sharing(&self, f: &TrackFingerprint) -> Result<Vec<(EventId, Vec<TrackPoint>)>, StoreError> {
        let mut out = Vec::new();
        for id in self.reference.fingerprints.candidates(&f.values, MAX_DUPLICATE_CANDIDATES) {
            if let Some((_, Body::PatrolRecorded(p))) = stored_event(self.conn, &id)? {
                out.push((id, p.track));
            }
        }
        Ok(out)
    }

    /// The officer's other stored patrols whose stated times meet `[from, to]` (the patrol's earliest
    /// and latest times, which hold its start and end): the only ones it can overlap.
    fn officer_patrols(&self, event: &Event, from: i64, to: i64) -> Result<Vec<OfficerPatrol>, StoreError> {
        let rows = self
            .conn
            .prepare_cached(
                "SELECT patrol, started_at, ended_at FROM patrol_checks INDEXED BY patrol_checks_by_officer_end
                 WHERE officer = ?1 AND ended_at >= ?2 AND started_at <= ?3 AND patrol != ?4",
            )?
            .query_map(params![event.author.as_str(), from, to, event.id.0.as_bytes()], |r| {
                Ok((r.get::<_, Vec<u8>>(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(id, started_at, ended_at)| {
                let id = uuid::Uuid::from_slice(&id).map(EventId).map_err(|_| StoreError::Corrupt("patrol_checks: patrol".into()))?;
                Ok(OfficerPatrol { id, started_at, ended_at })
            })
            .collect()
    }

    /// The latest time stated by this device's earlier patrols (their end or last fix), kept in
    /// `device_clocks` as each patrol is checked.
    fn device_latest_t(&self, event: &Event) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT latest_t FROM device_clocks WHERE device_id = ?1")?
            .query_row(params![event.device_id.0.as_bytes()], |r| r.get(0))
            .optional()?)
    }
}
