//! A new patrol's plausibility: the context the pure rules compare it with (the device's earlier
//! patrols, the officer's other patrols, tracks sharing its fingerprint) read from the store, and
//! the flags raised. The fingerprint is stored so that later copies find this track.

use crate::args;
use crate::store::sql::{Engine, Sql};
use std::collections::{HashMap, HashSet};
use sync_protocol::body::PatrolRecorded;
use sync_protocol::checks::plausibility::timing::mirrored;
use sync_protocol::checks::plausibility::{OfficerPatrol, PatrolUnderCheck, PlausibilityContext, PlausibilityFlag, TrackProbes};
use sync_protocol::checks::precheck::PatrolPrecheck;
use sync_protocol::event::Event;
use sync_protocol::ids::{EventId, UserId};
use sync_protocol::values::TrackPoint;

use super::flags::{Place, stored_patrol_place};
use super::history::stored_tracks;
use crate::store::{StoreError, jobs::WriteCtx};

/// Patrols lasting longer than this (ms) are looked up apart when finding overlaps, through the
/// partial index of migration 0007, whose condition `officer_patrols` repeats word for word (SQLite
/// uses a partial index only for a query that states its condition).
const LONG_PATROL_MS: i64 = 86_400_000;

/// The most stored tracks a push reads ahead for its copied-track checks (a few MiB of tracks of
/// ordinary length); candidates past them are read when their patrol is checked.
const TRACKS_READ_AHEAD: usize = 4096;

impl WriteCtx<'_> {
    /// Completes an accepted patrol's plausibility checks (`pre`: the half that reads the patrol
    /// alone) with what is stored and raises its flags; adds its fingerprint to the writer's index;
    /// returns the patrol it copies, if any.
    /// Runs before the patrol's own `patrol_checks` row is written.
    pub(super) fn check_plausibility(
        &mut self,
        event: &Event,
        patrol: &PatrolRecorded,
        pre: &PatrolPrecheck,
        place: &Place,
    ) -> Result<Option<EventId>, StoreError> {
        let under = PatrolUnderCheck::of(event.id, &event.author, patrol);
        let fingerprint = pre.fingerprint.as_ref();
        let candidates = self.tracks_probed(&pre.probes)?;
        let candidate_refs: Vec<(EventId, &[TrackPoint])> = candidates.iter().map(|(id, t)| (*id, t.as_slice())).collect();
        let officer_patrols = self.officer_patrols(event, under.earliest_t(), under.latest_t())?;
        let context = PlausibilityContext {
            device_now: self.device_clock.map_or(self.now_ms, |c| c.latest_allowed(&self.checks.plausibility)),
            device_previous_max_t: self.device_latest_t(event)?,
            officer_patrols: &officer_patrols,
            duplicate_candidates: &candidate_refs,
        };
        let mut copy_of = None;
        for flag in pre.plausibility(&under, &context, self.checks) {
            if let PlausibilityFlag::DuplicateTrack { of, .. } = flag {
                copy_of = copy_of.or(Some(of));
            }
            if let Some((other, back)) = mirrored(event.id, &flag) {
                self.raise_on_stored_patrol(other, &back)?;
            }
            self.raise(Some(event.id), Some(event.device_id), flag.kind(), &flag.detail(), place)?;
        }
        if let Some(f) = fingerprint {
            super::fingerprints::insert(&mut self.reference.fingerprints, event.id, &f.cells);
        }
        self.read_ahead.note_track(event.id, &patrol.track);
        let latest = context.device_previous_max_t.map_or(under.latest_t(), |t| t.max(under.latest_t()));
        // Written once for the job's patrols of the device (`write_device_latest`), not per patrol.
        self.device_latest = Some((event.device_id, Some(latest)));
        self.device_latest_due = true;
        Ok(copy_of)
    }

    /// Writes the latest stated time this job knows of its device (`device_latest`) if it has not
    /// been: the greater of the stored one and its patrols', as writing each patrol's time in turn
    /// would leave it.
    pub(crate) fn write_device_latest(&mut self) -> Result<(), StoreError> {
        let Some((device, Some(latest))) = self.device_latest.filter(|_| self.device_latest_due) else { return Ok(()) };
        self.conn.write(
            "INSERT INTO device_clocks (device_id, latest_t) VALUES (?1, ?2)
             ON CONFLICT (device_id) DO UPDATE SET latest_t =
                 CASE WHEN excluded.latest_t > device_clocks.latest_t THEN excluded.latest_t ELSE device_clocks.latest_t END",
            args![device.0.as_bytes(), latest],
        )?;
        self.device_latest_due = false;
        Ok(())
    }

    /// Raises `flag` on a stored patrol, with the place and week stored with its check.
    fn raise_on_stored_patrol(&self, patrol: EventId, flag: &PlausibilityFlag) -> Result<(), StoreError> {
        match stored_patrol_place(self.conn, patrol)? {
            Some((device, place)) => self.raise(Some(patrol), Some(device), flag.kind(), &flag.detail(), &place),
            None => Ok(()),
        }
    }

    /// Reads ahead, in one statement, the tracks of the stored patrols the fingerprint index names
    /// for each of a push's new patrols (`probes`, at most [`TRACKS_READ_AHEAD`] of them), before
    /// the first is stored. A patrol stored later in the job can only take the place of some of
    /// them among its candidates (they are ranked by votes, then id, and no earlier patrol's votes
    /// change), so the checks then find every earlier candidate here: on PostgreSQL, where each
    /// read is a round trip that also sends the rows waiting in the writer's queue, a push makes one
    /// read for its candidates rather than one for nearly every other patrol. Not on SQLite, where
    /// a read is a call within the process: there, asking the index for the candidates twice cost
    /// the writer more than the statements it saved (docs/benchmarks.md, "The writer goes first").
    pub(crate) fn read_candidates_ahead<'p>(&mut self, probes: impl Iterator<Item = &'p TrackProbes>) -> Result<(), StoreError> {
        if self.conn.engine() == Engine::Sqlite {
            return Ok(());
        }
        let mut wanted = Vec::new();
        let mut seen = HashSet::new();
        for probes in probes {
            let named = self.reference.fingerprints.compared(probes, None);
            wanted.extend(named.into_iter().filter(|id| seen.insert(*id)));
            if wanted.len() >= TRACKS_READ_AHEAD {
                wanted.truncate(TRACKS_READ_AHEAD);
                break;
            }
        }
        self.read_ahead.read_tracks(self.conn, &wanted)
    }

    /// The earlier patrols whose kept cells the new track's fixes hit most, with their tracks: those
    /// this job stored or read ahead from memory (`read_ahead`), the others read in one statement.
    fn tracks_probed(&mut self, probes: &TrackProbes) -> Result<Vec<(EventId, Vec<TrackPoint>)>, StoreError> {
        let ids = self.reference.fingerprints.compared(probes, None);
        let unknown: Vec<EventId> = ids.iter().filter(|id| self.read_ahead.track(id).is_none()).copied().collect();
        let mut read: HashMap<EventId, Vec<TrackPoint>> = stored_tracks(self.conn, &unknown)?.into_iter().collect();
        Ok(ids
            .iter()
            .filter_map(|id| match self.read_ahead.track(id) {
                Some(track) => Some((*id, track.to_vec())),
                None => read.remove(id).map(|track| (*id, track)),
            })
            .collect())
    }

    /// The officer's other stored patrols whose stated times meet `[from, to]` (the patrol's earliest
    /// and latest times, which hold its start and end): the only ones it can overlap. From the span
    /// the push read ahead when it holds them; ordered by end, start and id either way.
    fn officer_patrols(&self, event: &Event, from: i64, to: i64) -> Result<Vec<OfficerPatrol>, StoreError> {
        if let Some(found) = self.read_ahead.patrols_meeting(&event.author, event.id, from, to) {
            return Ok(found);
        }
        let mut found = patrols_meeting(self.conn, &event.author, event.id, from, to)?;
        found.sort_by_key(|p| (p.ended_at, p.started_at, p.id.0));
        Ok(found)
    }

    /// The latest time stated by this device's earlier patrols (their end or last fix), kept in
    /// `device_clocks` as each patrol is checked: read at the job's first patrol of the device,
    /// then known.
    fn device_latest_t(&mut self, event: &Event) -> Result<Option<i64>, StoreError> {
        if let Some((device, latest)) = self.device_latest
            && device == event.device_id
        {
            return Ok(latest);
        }
        // Another device's: the one held is written first, as it will no longer be.
        self.write_device_latest()?;
        self.conn
            .optional("SELECT latest_t FROM device_clocks WHERE device_id = ?1", args![event.device_id.0.as_bytes()])?
            .map(|r| r.get(0))
            .transpose()
    }
}

/// The stored patrols of `officer` but `except` whose stated times meet `[from, to]`. Those lasting
/// at most [`LONG_PATROL_MS`] end by `to + LONG_PATROL_MS`: a bounded range of the officer's index
/// however late the upload (on `ended_at >= from` alone a patrol months back walked every later
/// patrol of the officer). The longer ones come from their own partial index. The two parts are
/// disjoint and together exactly the patrols meeting `[from, to]`.
pub(super) fn patrols_meeting(
    conn: &dyn Sql,
    officer: &UserId,
    except: EventId,
    from: i64,
    to: i64,
) -> Result<Vec<OfficerPatrol>, StoreError> {
    // SQLite is told which index serves each half; PostgreSQL's planner picks the partial index
    // by its predicate on its own (and has no `INDEXED BY`).
    let (short, long) = match conn.engine() {
        Engine::Sqlite => ("INDEXED BY patrol_checks_by_officer_end", "INDEXED BY patrol_checks_long_by_officer_end"),
        Engine::Postgres => ("", ""),
    };
    let sql = format!(
        "SELECT patrol, started_at, ended_at FROM patrol_checks {short}
         WHERE officer = ?1 AND ended_at >= ?2 AND ended_at <= ?6 AND started_at <= ?3 AND patrol != ?4
           AND ended_at - started_at <= ?5
         UNION ALL
         SELECT patrol, started_at, ended_at FROM patrol_checks {long}
         WHERE officer = ?1 AND ended_at >= ?2 AND started_at <= ?3 AND patrol != ?4
           AND ended_at - started_at > 86400000"
    );
    let rows = conn
        .all(&sql, args![officer.as_str(), from, to, except.0.as_bytes(), LONG_PATROL_MS, to.saturating_add(LONG_PATROL_MS)])?
        .into_iter()
        .map(|r| Ok::<_, StoreError>((r.get::<Vec<u8>>(0)?, r.get::<i64>(1)?, r.get::<i64>(2)?)))
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(|(id, started_at, ended_at)| {
            let id = uuid::Uuid::from_slice(&id).map(EventId).map_err(|_| StoreError::corrupt("patrol_checks", "patrol"))?;
            Ok(OfficerPatrol { id, started_at, ended_at })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patrols_meeting_a_span_are_found_however_long_or_far_back() -> Result<(), Box<dyn std::error::Error>> {
        const H: i64 = 3_600_000;
        let dir = tempfile::tempdir()?;
        let conn = crate::store::sqlite::open_writer(&dir.path().join("central.db"))?;
        let officer = UserId::new("o1")?;
        // (started_at, ended_at) in hours; the span asked is [1000, 1002].
        let stored = [
            (999, 1000),
            (990, 999),
            (1001, 1001),
            (1002, 1010),
            (1003, 1004),
            (10, 999),
            (10, 1000),
            (900, 5000),
            (1002, 3000),
            (1003, 9000),
            (0, 24),
            (995, 1019),
        ];
        for (i, (start, end)) in stored.iter().enumerate() {
            conn.execute(
                "INSERT INTO patrol_checks (patrol, officer, device_id, zone, week, started_at, ended_at, counts, explanation, report, checked_at)
                 VALUES (?1, ?2, x'00', 'Z', '2026-W01', ?3, ?4, 0, '', '{}', 0)",
                rusqlite::params![uuid::Uuid::from_u128(i as u128 + 1).as_bytes(), if i == 0 { "o2" } else { "o1" }, start * H, end * H],
            )?;
        }
        let except = EventId(uuid::Uuid::from_u128(3));
        let mut found: Vec<(i64, i64)> =
            patrols_meeting(&conn, &officer, except, 1000 * H, 1002 * H)?.iter().map(|p| (p.started_at / H, p.ended_at / H)).collect();
        found.sort();
        let mut want: Vec<(i64, i64)> =
            stored.iter().skip(1).filter(|(s, e)| *e >= 1000 && *s <= 1002 && (*s, *e) != stored[2]).copied().collect();
        want.sort();
        assert_eq!(found, want);
        assert!(found.contains(&(900, 5000)) && found.contains(&(10, 1000)), "long patrols, by the partial index: {found:?}");
        Ok(())
    }
}
