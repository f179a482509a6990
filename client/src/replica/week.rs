//! The active officer's week on the phone, offline ("1 of 2 patrols this week"): the pure
//! `officer_week` over the replica's projection, with the quota decisions the phone's own checks make.

use sync_protocol::compliance::{ComplianceRules, DecisionTable, OfficerWeek, officer_week};
use sync_protocol::values::IsoWeek;

use super::{Replica, ReplicaError};

impl Replica {
    /// The active officer's compliance in `week` (this week, county time, by default), with the
    /// default rules. Flags are the server's; offline the phone counts none.
    pub fn my_week(&self, week: Option<IsoWeek>) -> Result<OfficerWeek, ReplicaError> {
        let me = self.require_active()?;
        let week = week.unwrap_or_else(|| IsoWeek::of_ms(self.clock.now_ms()));
        let projection = self.projection()?;
        let mut decisions = DecisionTable::default();
        for patrol in projection.patrols.values().filter(|p| p.officer == me.user && IsoWeek::of_ms(p.started_at) == week) {
            decisions.counts.insert(patrol.id, self.check_patrol(patrol.id)?.check.decision.counts);
        }
        Ok(officer_week(&projection, &me.user, week, &ComplianceRules::default(), &decisions))
    }
}
