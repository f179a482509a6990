//! A new patrol, checked as it is accepted: the geofence against the zone assigned at each fix's
//! time and the quota decision, stored in `patrol_checks`, with the `outside_zone` flag and, when
//! it does not count, the `not_counted` flag carrying the explanation; and its plausibility (see
//! `plausibility`), of which a copied track holds it from counting.

use sync_protocol::body::PatrolRecorded;
use sync_protocol::checks::plausibility::OfficerPatrol;
use sync_protocol::checks::recheck::{PatrolCheck, PatrolSpan};
use sync_protocol::event::Event;
use sync_protocol::ids::{DeviceId, EventId, ZoneId};

use super::ahead::PatrolPrechecked;
use super::flags::Place;
use crate::args;
use crate::store::read_model::CheckedPatrol;
use crate::store::sql::Engine;
use crate::store::{StoreError, jobs::WriteCtx};

impl WriteCtx<'_> {
    /// Checks an accepted `patrol.recorded` and stores the result and its flag. `ahead` is the half
    /// computed by the prepare step, used if it was computed on the writer's current reference.
    /// Gives what its kept ledger row shows of the check: the decision and the flags raised on it.
    pub fn check_new_patrol(
        &mut self,
        event: &Event,
        patrol: &PatrolRecorded,
        ahead: Option<&PatrolPrechecked>,
    ) -> Result<CheckedPatrol, StoreError> {
        let computed;
        let ahead = match ahead {
            Some(ahead) if ahead.version == self.reference.version => ahead,
            _ => {
                computed = PatrolPrechecked::of(self.reference.version, &self.reference.history, event, patrol, self.checks)?;
                &computed
            }
        };
        let place = Place::of_zone(self.reference, &event.author, &patrol.zone, patrol.started_at);
        let copy_of = self.check_plausibility(event, patrol, &ahead.pre, &place)?;
        let fingerprint = sync_protocol::checks::plausibility::fingerprint_index::to_stored(
            ahead.pre.fingerprint.as_ref().map_or(&[][..], |f| f.cells.as_slice()),
        );
        let held;
        let held_report;
        let (result, report) = match copy_of {
            Some(of) => {
                held = ahead.pre.check.clone().held_as_copy(of, &self.checks.rules);
                held_report = to_json(&held)?;
                (&held, held_report.as_str())
            }
            None => (&ahead.pre.check, ahead.report.as_str()),
        };
        let span = PatrolSpan::of_track(event.id, event.author.clone(), &patrol.track);
        self.conn.write(
            &check_row(self.conn.engine()),
            args![
                event.id.0.as_bytes(),
                event.author.as_str(),
                event.device_id.0.as_bytes(),
                patrol.zone.as_str(),
                place.village.as_ref().map(|v| v.as_str()),
                place.township.as_ref().map(|t| t.as_str()),
                place.week.map(|w| w.to_string()),
                patrol.started_at,
                patrol.ended_at,
                span.fixes.map(|(lo, _)| lo),
                span.fixes.map(|(_, hi)| hi),
                result.decision.counts,
                &result.decision.explanation,
                report,
                self.now_ms,
                fingerprint,
            ],
        )?;
        let times = OfficerPatrol { id: event.id, started_at: patrol.started_at, ended_at: patrol.ended_at };
        self.read_ahead.note_check(&event.author, times);
        // Its `outside_zone` and `not_counted` flags, as `settle_quota_flags` would leave them: no
        // flag of either kind can be open on a patrol this job stored (they are raised on stored
        // patrols only), so there is nothing to withdraw or look up (two statements fewer).
        for (kind, detail) in result.quota_flags(&patrol.zone) {
            if let Some(detail) = detail {
                self.raise(Some(event.id), Some(event.device_id), kind, &detail, &place)?;
            }
        }
        let flags = self.flagged.borrow().get(&event.id).cloned().unwrap_or_default();
        Ok(CheckedPatrol { decision: (result.decision.counts, result.decision.explanation.clone()), flags })
    }

    /// Stores a re-checked patrol's new result (its place and span do not change).
    pub(super) fn update_patrol_check(&self, patrol: EventId, result: &PatrolCheck) -> Result<(), StoreError> {
        self.conn.write(
            "UPDATE patrol_checks SET counts = ?2, explanation = ?3, report = ?4, checked_at = ?5 WHERE patrol = ?1",
            args![patrol.0.as_bytes(), result.decision.counts, &result.decision.explanation, to_json(result)?, self.now_ms],
        )?;
        Ok(())
    }

    /// Raises, rewrites or withdraws a patrol's `outside_zone` and `not_counted` flags to match
    /// `result`: every patrol that does not count is in the flag list with its explanation.
    pub(super) fn settle_quota_flags(
        &self,
        patrol: EventId,
        device: DeviceId,
        zone: &ZoneId,
        result: &PatrolCheck,
        place: &Place,
    ) -> Result<(), StoreError> {
        for (kind, detail) in result.quota_flags(zone) {
            self.settle_flag(patrol, Some(device), kind, detail.as_deref(), place)?;
        }
        Ok(())
    }
}

pub(super) fn to_json(result: &PatrolCheck) -> Result<String, StoreError> {
    serde_json::to_string(result).map_err(|e| StoreError::encode("a patrol check", e))
}

/// The statement that stores a new patrol's check; its triggers count it in its officer's week and
/// clear the patrol's kept ledger row ([`Engine::insert_in_job`]).
fn check_row(engine: Engine) -> String {
    format!(
        "{} INTO patrol_checks (patrol, officer, device_id, zone, village, township, week, started_at, ended_at,
                                first_fix, last_fix, counts, explanation, report, checked_at, fingerprint)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        engine.insert_in_job()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On SQLite no constraint of a check's row aborts its statement (SQLite's `Halt` with `P2` =
    /// 2, `OE_Abort`): each fails it instead, so SQLite keeps no statement journal for it.
    #[test]
    fn a_check_row_fails_its_statement_without_undoing_it_on_sqlite() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let conn = crate::store::sqlite::open_writer(&dir.path().join("central.db"))?;
        let mut explain = conn.prepare(&format!("EXPLAIN {}", check_row(Engine::Sqlite)))?;
        let unbound = std::iter::repeat_n(rusqlite::types::Null, explain.parameter_count());
        let program = explain
            .query_map(rusqlite::params_from_iter(unbound), |r| Ok((r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        let constraints: Vec<_> = program.iter().filter(|(op, p1, _)| (op == "Halt" || op == "HaltIfNull") && *p1 != 0).collect();
        assert!(!constraints.is_empty(), "the row's NOT NULL and key constraints are checked: {program:?}");
        let aborting: Vec<_> = constraints.iter().filter(|(_, _, on_error)| *on_error == 2).collect();
        assert!(aborting.is_empty(), "constraints that abort the statement: {aborting:?}");
        Ok(())
    }
}
