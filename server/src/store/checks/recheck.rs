//! After a zone is redefined or an officer's assignment changes, the patrols it may touch are
//! re-checked in the same transaction. The pure planner decides; this file loads and stores.

use std::collections::BTreeMap;
use sync_protocol::body::Body;
use sync_protocol::checks::recheck::{PatrolCheck, PatrolSpan, PatrolTrack, affected, plan};
use sync_protocol::checks::zone_history::{ChangeScope, ChangedPeriod};
use sync_protocol::ids::{DeviceId, EventId, UserId, ZoneId};
use sync_protocol::values::TrackPoint;

use super::flags::Place;
use super::history::stored_event;
use crate::args;
use crate::store::{StoreError, jobs::WriteCtx};

/// What is stored about a patrol that may need a re-check.
struct Candidate {
    span: PatrolSpan,
    device: DeviceId,
    zone: ZoneId,
    place: Place,
    stored: PatrolCheck,
}

impl WriteCtx<'_> {
    /// Re-checks every stored patrol `changed` may touch and updates those whose check differs;
    /// returns how many were updated. Idempotent: a second run finds nothing to change.
    pub fn recheck(&mut self, changed: &ChangedPeriod) -> Result<usize, StoreError> {
        let candidates = self.candidates(changed)?;
        let spans: Vec<PatrolSpan> = candidates.values().map(|c| c.span.clone()).collect();
        let touched = affected(&self.reference.history, changed, &spans);
        let mut tracks: Vec<(EventId, UserId, Vec<TrackPoint>)> = Vec::with_capacity(touched.len());
        for span in touched {
            if let Some((_, Body::PatrolRecorded(p))) = stored_event(self.conn, &span.patrol)? {
                tracks.push((span.patrol, span.officer.clone(), p.track));
            }
        }
        let stored: BTreeMap<EventId, PatrolCheck> = candidates.iter().map(|(id, c)| (*id, c.stored.clone())).collect();
        let patrols = tracks.iter().map(|(patrol, officer, track)| PatrolTrack { patrol: *patrol, officer, track });
        let plan = plan(&self.reference.history, patrols, &stored, self.checks);
        for r in &plan.rechecks {
            let c = &candidates[&r.patrol];
            self.update_patrol_check(r.patrol, &r.check)?;
            self.settle_quota_flags(r.patrol, c.device, &c.zone, &r.check, &c.place)?;
        }
        Ok(plan.rechecks.len())
    }

    /// Stored patrols whose fixes meet the changed period, of the officers the change concerns.
    fn candidates(&self, changed: &ChangedPeriod) -> Result<BTreeMap<EventId, Candidate>, StoreError> {
        let officers: Vec<String> = match &changed.scope {
            ChangeScope::Officer(o) => vec![o.to_string()],
            ChangeScope::Zone(z) => self
                .conn
                .all("SELECT DISTINCT officer FROM assignments WHERE zone = ?1 ORDER BY officer", args![z.as_str()])?
                .iter()
                .map(|r| r.get(0))
                .collect::<Result<_, _>>()?,
        };
        let sql = "SELECT patrol, officer, device_id, zone, village, township, week, first_fix, last_fix, report FROM patrol_checks
                   WHERE officer = ?1 AND last_fix >= ?2 AND (CAST(?3 AS BIGINT) IS NULL OR first_fix < ?3)";
        let mut out = BTreeMap::new();
        for officer in officers {
            let rows = self.conn.all(sql, args![&officer, changed.from, changed.until])?.into_iter().map(|r| {
                Ok::<_, StoreError>(StoredRow {
                    patrol: r.get(0)?,
                    officer: r.get(1)?,
                    device: r.get(2)?,
                    zone: r.get(3)?,
                    village: r.get(4)?,
                    township: r.get(5)?,
                    week: r.get(6)?,
                    fixes: (r.get(7)?, r.get(8)?),
                    report: r.get(9)?,
                })
            });
            for row in rows {
                let c = row?.parse()?;
                out.insert(c.span.patrol, c);
            }
        }
        Ok(out)
    }
}

struct StoredRow {
    patrol: Vec<u8>,
    officer: String,
    device: Vec<u8>,
    zone: String,
    village: Option<String>,
    township: Option<String>,
    week: Option<String>,
    fixes: (i64, i64),
    report: String,
}

impl StoredRow {
    fn parse(self) -> Result<Candidate, StoreError> {
        let corrupt = |what: &str| StoreError::corrupt("patrol_checks", format!("bad {what}"));
        let patrol = uuid::Uuid::from_slice(&self.patrol).map(EventId).map_err(|_| corrupt("patrol"))?;
        let device = uuid::Uuid::from_slice(&self.device).map(DeviceId).map_err(|_| corrupt("device"))?;
        let officer: UserId = self.officer.parse().map_err(|_| corrupt("officer"))?;
        let place = Place::parse(Some(self.officer), self.village, self.township, self.week)?;
        Ok(Candidate {
            span: PatrolSpan { patrol, officer, fixes: Some(self.fixes) },
            device,
            zone: self.zone.parse().map_err(|_| corrupt("zone"))?,
            place,
            stored: serde_json::from_str(&self.report).map_err(|_| corrupt("report"))?,
        })
    }
}
