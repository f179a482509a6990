//! The active officer's week on the phone, offline ("1 of 2 patrols this week"): the pure
//! `officer_week` over the parts of the projection that week reads (the officer's patrols and
//! findings of the week, zero report, assignments and zones), with the quota decisions the phone's
//! own checks make.

use rusqlite::params;
use sync_protocol::compliance::{ComplianceRules, DecisionTable, OfficerWeek, officer_week};
use sync_protocol::fold::parts::PartKey;
use sync_protocol::ids::EventId;
use sync_protocol::values::IsoWeek;

use super::{Replica, ReplicaError, patrol_index};

impl Replica {
    /// The active officer's compliance in `week` (this week, county time, by default), with the
    /// default rules. Flags are the server's; offline the phone counts none.
    pub fn my_week(&self, week: Option<IsoWeek>) -> Result<OfficerWeek, ReplicaError> {
        let me = self.require_active()?;
        if me.role != sync_protocol::body::Role::VillageOfficer {
            return Err(ReplicaError::NoQuota { user: me.user.to_string(), role: me.role.as_str() });
        }
        let week = week.unwrap_or_else(|| IsoWeek::of_ms(self.clock.now_ms()));
        let (from, to) = week.bounds_ms();
        let mut anchors = vec![PartKey::assignments(&me.user), PartKey::zero_report(&me.user, &week)];
        let patrols = patrol_index::started_between(&self.conn, me.device_id, &me.user, from, to)?;
        anchors.extend(patrols.iter().chain(&self.patrols_with_findings(from, to)?).map(PartKey::patrol));
        let mut week_parts = self.parts_of(anchors)?;
        let zones = week_parts.assignments.values().flatten().filter_map(|a| a.zone.clone());
        let zones: Vec<_> = zones.chain(week_parts.patrols.values().map(|p| p.zone.clone())).collect();
        week_parts.zones = self.parts_of(zones.iter().map(PartKey::zone))?.zones;
        let mut decisions = DecisionTable::default();
        for patrol in week_parts.patrols.values().filter(|p| p.officer == me.user && IsoWeek::of_ms(p.started_at) == week) {
            decisions.counts.insert(patrol.id, self.check_patrol(patrol.id)?.check.decision.counts);
        }
        Ok(officer_week(&week_parts, &me.user, week, &ComplianceRules::default(), &decisions))
    }

    /// The patrols of the active officer's findings observed in `[from, to)` (Unix ms).
    fn patrols_with_findings(&self, from: i64, to: i64) -> Result<Vec<EventId>, ReplicaError> {
        let me = self.require_active()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT patrol FROM findings WHERE owner = ?1 AND officer = ?2 AND observed_at >= ?3 AND observed_at < ?4",
        )?;
        let ids = stmt.query_map(params![me.device_id.to_string(), me.user.as_str(), from, to], |r| r.get::<_, String>(0))?;
        ids.map(|id| id?.parse().map_err(ReplicaError::corrupt("finding's patrol"))).collect()
    }
}
