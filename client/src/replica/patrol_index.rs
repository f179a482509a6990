//! Every patrol an identity holds, by officer, device and zone, with its track's fingerprint:
//! what a patrol's plausibility is compared with (overlapping patrols, the device's clock, copied
//! tracks), read by index, so that a check reads only the patrols it compares with.

use rusqlite::{Connection, OptionalExtension, params};
use sync_protocol::ValidationError;
use sync_protocol::body::PatrolRecorded;
use sync_protocol::checks::plausibility::fingerprint_index::{from_stored, to_stored};
use sync_protocol::checks::plausibility::{FingerprintIndex, OfficerPatrol, PatrolUnderCheck, TrackFingerprint};
use sync_protocol::event::Event;
use sync_protocol::ids::{DeviceId, EventId, UserId, ZoneId};

use super::ReplicaError;
use super::identity::seq_i64;

// The patrols meeting `(?3, ?4)`: those lasting at most `?5` (a day) end before `?4 + ?5`, a
// bounded range of the officer's index however early the patrol checked; the longer ones come
// from their own partial index, whose condition the second half states word for word (SQLite uses
// a partial index only for a query that does). The halves are disjoint; the whole is in order of
// end, as the one index gave it.
const OVERLAPPING: &str = "SELECT event_id, started_at, ended_at FROM patrol_index INDEXED BY patrol_index_by_officer \
     WHERE owner = ?1 AND officer = ?2 AND ended_at > ?3 AND ended_at < ?4 + ?5 AND started_at < ?4 AND ended_at - started_at <= ?5 \
     UNION ALL \
     SELECT event_id, started_at, ended_at FROM patrol_index INDEXED BY patrol_index_long_by_officer \
     WHERE owner = ?1 AND officer = ?2 AND ended_at > ?3 AND started_at < ?4 AND ended_at - started_at > 86400000 \
     ORDER BY 3, 1";
/// Patrols lasting longer than this (ms) are read apart by [`overlapping`] (and kept apart by
/// [`OfficerTimes`]); the partial index of device migration 0006 and `OVERLAPPING` repeat it.
const LONG_PATROL_MS: i64 = 86_400_000;
const OFFICER_TIMES: &str =
    "SELECT event_id, started_at, ended_at FROM patrol_index INDEXED BY patrol_index_by_officer WHERE owner = ?1 AND officer = ?2";
// Latest first: for the device's newest patrol, the first row read is the answer.
const DEVICE_PREVIOUS: &str =
    "SELECT latest_t FROM patrol_index WHERE owner = ?1 AND device_id = ?2 AND seq < ?3 ORDER BY latest_t DESC LIMIT 1";
const DEVICE_TIMES: &str = "SELECT seq, latest_t FROM patrol_index WHERE owner = ?1 AND device_id = ?2";
const ZONE_PRINTS: &str = "SELECT event_id, fingerprint FROM patrol_index WHERE owner = ?1 AND zone = ?2 AND fingerprint IS NOT NULL";
// A patrol ends no earlier than it starts (`PatrolRecorded::validate`): `ended_at >= from` lets
// the index by end time skip the officer's earlier patrols.
const STARTED_BETWEEN: &str =
    "SELECT event_id FROM patrol_index WHERE owner = ?1 AND officer = ?2 AND ended_at >= ?3 AND started_at >= ?3 AND started_at < ?4";

/// The queries of this file that a patrol's checks and the officer's week run.
#[cfg(test)]
pub(crate) const QUERIES: [&str; 6] = [OVERLAPPING, OFFICER_TIMES, DEVICE_PREVIOUS, DEVICE_TIMES, ZONE_PRINTS, STARTED_BETWEEN];

/// What the index keeps of one patrol, besides its event's id, author, device and seq.
#[derive(Debug, Clone)]
pub(crate) struct PatrolEntry {
    zone: ZoneId,
    started_at: i64,
    ended_at: i64,
    latest_t: i64,
    /// The track's fingerprint, its passes in the stored form the server keeps too
    /// (`fingerprint_index::to_stored`).
    fingerprint: Option<Vec<u8>>,
}

impl PatrolEntry {
    /// The entry of `event`, which records patrol `p`.
    pub(crate) fn of(event: &Event, p: &PatrolRecorded) -> PatrolEntry {
        PatrolEntry {
            zone: p.zone.clone(),
            started_at: p.started_at,
            ended_at: p.ended_at,
            latest_t: PatrolUnderCheck::of(event.id, &event.author, p).latest_t(),
            fingerprint: TrackFingerprint::of(&p.track).map(|f| to_stored(&f.cells)),
        }
    }
}

/// Records the patrol of `event`.
pub(crate) fn insert(conn: &Connection, owner: DeviceId, event: &Event, entry: &PatrolEntry) -> Result<(), ReplicaError> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO patrol_index (owner, event_id, officer, device_id, seq, zone, started_at, ended_at, latest_t, fingerprint) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        owner.to_string(),
        event.id.to_string(),
        event.author.as_str(),
        event.device_id.to_string(),
        seq_i64(event.seq),
        entry.zone.as_str(),
        entry.started_at,
        entry.ended_at,
        entry.latest_t,
        entry.fingerprint
    ])?;
    Ok(())
}

/// The patrols of `officer` that end after `from` and start before `to` (Unix ms): every patrol
/// that can share time with that span.
pub(crate) fn overlapping(
    conn: &Connection,
    owner: DeviceId,
    officer: &UserId,
    from: i64,
    to: i64,
) -> Result<Vec<OfficerPatrol>, ReplicaError> {
    officer_patrols(conn, OVERLAPPING, params![owner.to_string(), officer.as_str(), from, to, LONG_PATROL_MS])
}

/// The times of every patrol of `officer` that the identity holds, in no order: [`OfficerTimes`]'s
/// input, for checking many patrols in one pass.
pub(crate) fn officer_times(conn: &Connection, owner: DeviceId, officer: &UserId) -> Result<Vec<OfficerPatrol>, ReplicaError> {
    officer_patrols(conn, OFFICER_TIMES, params![owner.to_string(), officer.as_str()])
}

/// The rows `(event_id, started_at, ended_at)` that `sql` reads with `args`, as patrols' times.
fn officer_patrols(conn: &Connection, sql: &str, args: impl rusqlite::Params) -> Result<Vec<OfficerPatrol>, ReplicaError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(args, |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?)))?;
    rows.map(|row| {
        let (id, started_at, ended_at) = row?;
        Ok(OfficerPatrol { id: parse_id(&id)?, started_at, ended_at })
    })
    .collect()
}

/// An officer's patrols by end time, those lasting longer than a day apart: what [`overlapping`]
/// answers for each patrol, from one read of the officer's patrols.
#[derive(Debug, Clone, Default)]
pub(crate) struct OfficerTimes {
    /// The patrols lasting at most [`LONG_PATROL_MS`], in order of end, then id.
    short: Vec<OfficerPatrol>,
    /// The longer ones (few), in the same order.
    long: Vec<OfficerPatrol>,
}

impl OfficerTimes {
    pub(crate) fn of(patrols: Vec<OfficerPatrol>) -> OfficerTimes {
        let (mut short, mut long): (Vec<_>, Vec<_>) =
            patrols.into_iter().partition(|o| o.ended_at.saturating_sub(o.started_at) <= LONG_PATROL_MS);
        short.sort_unstable_by_key(by_end);
        long.sort_unstable_by_key(by_end);
        OfficerTimes { short, long }
    }

    /// The patrols that end after `from` and start before `to` (Unix ms), in order of end, then
    /// id, as [`overlapping`] reads them: a binary search to the first ending after `from`, then
    /// the short ones up to a day past `to` (one starting before `to` ends before that) and the
    /// long ones.
    pub(crate) fn meeting(&self, from: i64, to: i64) -> Vec<OfficerPatrol> {
        let meets = |o: &&OfficerPatrol| o.ended_at > from && o.started_at < to;
        let ending_after = |list: &'_ [OfficerPatrol]| list.partition_point(|o| o.ended_at <= from);
        let short = self.short[ending_after(&self.short)..].iter().take_while(|o| o.ended_at.saturating_sub(LONG_PATROL_MS) < to);
        let mut out: Vec<OfficerPatrol> = short.filter(meets).copied().collect();
        let long = self.long[ending_after(&self.long)..].iter().filter(meets);
        let before = out.len();
        out.extend(long.copied());
        if out.len() > before {
            out.sort_unstable_by_key(by_end);
        }
        out
    }
}

/// The order [`overlapping`] answers in: by end, then by id (its text and its bytes sort alike).
fn by_end(o: &OfficerPatrol) -> (i64, EventId) {
    (o.ended_at, o.id)
}

/// The latest time stated by a patrol that `device` recorded before seq `seq`.
pub(crate) fn device_previous_max_t(conn: &Connection, owner: DeviceId, device: DeviceId, seq: u64) -> Result<Option<i64>, ReplicaError> {
    Ok(conn
        .prepare_cached(DEVICE_PREVIOUS)?
        .query_row(params![owner.to_string(), device.to_string(), seq_i64(seq)], |r| r.get(0))
        .optional()?)
}

/// The seq and latest stated time of every patrol `device` recorded that the identity holds, in
/// no order: [`DeviceClock`]'s input, for checking many patrols in one pass.
pub(crate) fn device_times(conn: &Connection, owner: DeviceId, device: DeviceId) -> Result<Vec<(i64, i64)>, ReplicaError> {
    let mut stmt = conn.prepare_cached(DEVICE_TIMES)?;
    let rows = stmt.query_map(params![owner.to_string(), device.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A device's patrols by seq with the latest time stated by each and every earlier one: what
/// [`device_previous_max_t`] answers for each patrol, from one read of the device's patrols.
#[derive(Debug, Clone, Default)]
pub(crate) struct DeviceClock {
    /// As stored ([`seq_i64`]).
    seqs: Vec<i64>,
    /// `latest[i]`: the latest time stated by the patrols of `seqs[..=i]`.
    latest: Vec<i64>,
}

impl DeviceClock {
    pub(crate) fn of(mut times: Vec<(i64, i64)>) -> DeviceClock {
        times.sort_unstable();
        let mut latest = Vec::with_capacity(times.len());
        for &(_, t) in &times {
            latest.push(latest.last().map_or(t, |&l: &i64| l.max(t)));
        }
        DeviceClock { seqs: times.into_iter().map(|(seq, _)| seq).collect(), latest }
    }

    /// The latest time stated by the device's patrols before seq `seq`, as [`device_previous_max_t`].
    pub(crate) fn before(&self, seq: u64) -> Option<i64> {
        let earlier = self.seqs.partition_point(|s| *s < seq_i64(seq));
        earlier.checked_sub(1).map(|i| self.latest[i])
    }
}

/// The index of the fingerprints of every patrol of `zone`: where a patrol's candidate copies are
/// looked for, by the votes of its fixes (`FingerprintIndex::compared`), as the server does.
pub(crate) fn zone_prints(conn: &Connection, owner: DeviceId, zone: &ZoneId) -> Result<FingerprintIndex, ReplicaError> {
    let mut stmt = conn.prepare_cached(ZONE_PRINTS)?;
    let rows = stmt.query_map(params![owner.to_string(), zone.as_str()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?)))?;
    let mut index = FingerprintIndex::default();
    for row in rows {
        let (id, bytes) = row?;
        let cells = from_stored(&bytes).ok_or_else(|| ReplicaError::Corrupt {
            what: "patrol fingerprint",
            source: ValidationError::Field { field: "fingerprint", problem: "length".into() },
        })?;
        // A zone of 33 million patrols is past any phone: its later patrols would go unindexed.
        index.insert(parse_id(&id)?, &cells);
    }
    Ok(index)
}

/// The ids of `officer`'s patrols that start in `[from, to)` (Unix ms).
pub(crate) fn started_between(
    conn: &Connection,
    owner: DeviceId,
    officer: &UserId,
    from: i64,
    to: i64,
) -> Result<Vec<EventId>, ReplicaError> {
    let mut stmt = conn.prepare_cached(STARTED_BETWEEN)?;
    let ids = stmt.query_map(params![owner.to_string(), officer.as_str(), from, to], |r| r.get::<_, String>(0))?;
    ids.map(|id| parse_id(&id?)).collect()
}

fn parse_id(text: &str) -> Result<EventId, ReplicaError> {
    text.parse().map_err(ReplicaError::corrupt("patrol id"))
}

#[cfg(test)]
mod tests {
    use super::DeviceClock;
    use proptest::prelude::*;

    proptest! {
        /// One read of a device's patrols answers, for each, what the per-patrol query does: the
        /// latest time stated by the patrols before it in seq order, whatever order they are read in.
        #[test]
        fn the_device_clock_answers_as_the_query(times in proptest::collection::vec((1i64..60, -1_000i64..1_000), 0..40), probe in 0u64..70) {
            let clock = DeviceClock::of(times.clone());
            let expected = times.iter().filter(|(seq, _)| (*seq as u64) < probe).map(|(_, t)| *t).max();
            prop_assert_eq!(clock.before(probe), expected);
        }
    }
}
