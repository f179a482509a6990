//! What a job's patrol checks read of the store, read once for a whole push rather than once per
//! patrol: each officer's stored patrols meeting the span of the push's patrols (the overlap
//! check), and the tracks the copied-track check compares with (those the job stored itself, and
//! the stored ones the fingerprint index named for the push's patrols before the first was
//! stored). Both are kept exact as the job stores patrols, so the checks see what reading the
//! store would give.
//! On PostgreSQL every read is a round trip that the writer waits on; on SQLite they are cheap
//! either way.

use std::collections::HashMap;
use sync_protocol::checks::plausibility::OfficerPatrol;
use sync_protocol::ids::{EventId, UserId};
use sync_protocol::values::TrackPoint;

use super::history::stored_tracks;
use super::plausibility::patrols_meeting;
use crate::store::StoreError;
use crate::store::sql::Sql;

/// A job's reads ahead; empty at the job's start (`WriteCtx::new`).
#[derive(Debug, Default)]
pub struct ReadAhead {
    /// By officer: the span read, and the officer's patrols with a check stored that meet it.
    spans: HashMap<UserId, Span>,
    /// The tracks of accepted patrols: those this job stored, and those it read ahead.
    tracks: HashMap<EventId, Vec<TrackPoint>>,
}

#[derive(Debug)]
struct Span {
    from: i64,
    to: i64,
    patrols: Vec<OfficerPatrol>,
}

impl ReadAhead {
    /// Reads, for each officer, the stored patrols meeting `[from, to]` (the earliest and latest
    /// times of that officer's patrols in the push), one statement per officer.
    pub fn read_spans(&mut self, conn: &dyn Sql, spans: HashMap<UserId, (i64, i64)>) -> Result<(), StoreError> {
        for (officer, (from, to)) in spans {
            // No stored patrol has the nil id: none is left out.
            let patrols = patrols_meeting(conn, &officer, EventId(uuid::Uuid::nil()), from, to)?;
            self.spans.insert(officer, Span { from, to, patrols });
        }
        Ok(())
    }

    /// The patrols of `officer` but `except` meeting `[from, to]`, if a span read ahead holds
    /// that range (else the caller reads them), ordered by end, start and id.
    pub fn patrols_meeting(&self, officer: &UserId, except: EventId, from: i64, to: i64) -> Option<Vec<OfficerPatrol>> {
        let span = self.spans.get(officer).filter(|s| s.from <= from && to <= s.to)?;
        let mut found: Vec<OfficerPatrol> =
            span.patrols.iter().filter(|p| p.id != except && p.ended_at >= from && p.started_at <= to).copied().collect();
        found.sort_by_key(|p| (p.ended_at, p.started_at, p.id.0));
        Some(found)
    }

    /// Notes a patrol check the job stored for `officer`, so that the spans read ahead stay what
    /// the store holds.
    pub fn note_check(&mut self, officer: &UserId, patrol: OfficerPatrol) {
        if let Some(span) = self.spans.get_mut(officer)
            && patrol.ended_at >= span.from
            && patrol.started_at <= span.to
        {
            span.patrols.push(patrol);
        }
    }

    /// Notes the track of an accepted patrol the job stored.
    pub fn note_track(&mut self, patrol: EventId, track: &[TrackPoint]) {
        self.tracks.insert(patrol, track.to_vec());
    }

    /// Reads the tracks of the stored accepted patrols among `patrols` that the job does not hold
    /// yet, in one statement. A stored event never changes, so a track read ahead stays what
    /// reading it later would give.
    pub fn read_tracks(&mut self, conn: &dyn Sql, patrols: &[EventId]) -> Result<(), StoreError> {
        let unknown: Vec<EventId> = patrols.iter().filter(|id| !self.tracks.contains_key(*id)).copied().collect();
        self.tracks.extend(stored_tracks(conn, &unknown)?);
        Ok(())
    }

    /// The track of `patrol` if the job stored it or read it ahead.
    pub fn track(&self, patrol: &EventId) -> Option<&[TrackPoint]> {
        self.tracks.get(patrol).map(Vec::as_slice)
    }
}
