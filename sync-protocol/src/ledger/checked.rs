//! A ledger row's facts from checks run where the row is shown: the phone checks its patrols and
//! findings itself (it holds none of the server's stored answers), so it derives the flags those
//! checks raise with the same functions the server raises them by.

use std::collections::BTreeMap;

use super::{LedgerFacts, PatrolEntry};
use crate::checks::licence::LicenceVerdict;
use crate::checks::plausibility::PlausibilityFlag;
use crate::checks::recheck::PatrolCheck;
use crate::ids::{EventId, UnitId};
use crate::wire::FlagKind;

/// What checking a patrol gave: its check (geofence and quota decision) and its plausibility flags.
#[derive(Debug, Clone, Copy)]
pub struct Checked<'a> {
    pub check: &'a PatrolCheck,
    pub plausibility: &'a [PlausibilityFlag],
}

impl LedgerFacts {
    /// The facts of `entry` from its own checks: `place` (village, township), the patrol's
    /// `checked` answer (`None`: not checked), each checked finding's licence verdict, and the
    /// status of each case on its findings. Its flags are those the checks raise, in the order
    /// the server raises them: the patrol's plausibility flags, then its quota flags
    /// ([`PatrolCheck::quota_flags`]); each finding's [`LicenceVerdict::raised`]. Flags that only
    /// the server's whole view raises (a device's clock, an overlap or copy found by a patrol
    /// received later) are not among them.
    pub fn from_checks(
        entry: &PatrolEntry,
        place: Option<(UnitId, UnitId)>,
        checked: Option<Checked<'_>>,
        verdicts: BTreeMap<EventId, LicenceVerdict>,
        cases: Vec<String>,
    ) -> LedgerFacts {
        let mut flags: BTreeMap<EventId, Vec<FlagKind>> = BTreeMap::new();
        if let Some(c) = checked {
            let quota = c.check.quota_flags(&entry.zone).into_iter().filter_map(|(kind, detail)| detail.map(|_| kind));
            let kinds: Vec<FlagKind> = c.plausibility.iter().map(PlausibilityFlag::kind).chain(quota).collect();
            flags.insert(entry.patrol, kinds);
        }
        for (finding, verdict) in &verdicts {
            flags.insert(*finding, verdict.raised().into_iter().map(|(kind, _)| kind).collect());
        }
        flags.retain(|_, kinds| !kinds.is_empty());
        let decision = checked.map(|c| (c.check.decision.counts, c.check.decision.explanation.clone()));
        LedgerFacts { place, decision, verdicts, flags, cases }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::{Body, FindingKind, Mineral};
    use crate::checks::licence::{DepthCheck, DepthNotChecked, LicenceFlag, Protected};
    use crate::checks::recheck::{CheckConfig, check};
    use crate::checks::zone_history::ZoneHistory;
    use crate::fold::case_tests::event;
    use crate::ledger::{FindingEntry, row};
    use serde_json::json;

    #[test]
    fn the_flags_of_a_patrols_own_checks_are_those_the_server_raises_in_its_order() -> Result<(), Box<dyn std::error::Error>> {
        let track = json!([[1_764_131_257_000_i64, 1_145_000_000, 255_000_000, 5], [60_000, 900, 700, 5]]);
        let body = json!({"v": 1, "zone": "Z1", "started_at": 1_764_131_257_000_i64, "ended_at": 1_764_131_317_000_i64, "track": track,
            "summary": "", "result": "findings"});
        let e = event(7, 1, 1_764_131_400_000, "vo-1", "patrol.recorded", body);
        let Body::PatrolRecorded(p) = Body::parse(&e.kind, &e.body)? else { panic!("not a patrol") };
        let mut entry = PatrolEntry::recorded(&e, &p);
        let finding = crate::fold::case_tests::id(8);
        let kind = FindingKind::UnlicensedMining;
        entry.findings.push(FindingEntry { id: finding, kind, mineral: Some(Mineral::Tin), stopped_on_spot: false, high_priority: false });
        // No zone assigned: every fix outside, so it is flagged and does not count.
        let patrol_check = check(&ZoneHistory::new(), &e.author, &p.track, &CheckConfig::default());
        let plausibility = [PlausibilityFlag::TooShort { duration_s: 60, fixes: 2 }];
        let verdict = LicenceVerdict {
            licence: None,
            flags: vec![LicenceFlag::UnlicensedArea { named: None }],
            high_priority: true,
            depth: DepthCheck::NotChecked { why: DepthNotChecked::NoLicence },
            protected: Some(Protected { mineral: Mineral::Tin, licence: None }),
        };
        let checked = Checked { check: &patrol_check, plausibility: &plausibility };
        let facts = LedgerFacts::from_checks(&entry, None, Some(checked), BTreeMap::from([(finding, verdict)]), Vec::new());
        let r = row(&entry, &facts);
        assert_eq!(r.flags, "too_short; outside_zone; not_counted; unlicensed_area; protected_mineral");
        assert_eq!((r.counts, r.explanation), (Some(false), patrol_check.decision.explanation.clone()));
        assert!(r.high_priority && r.findings.ends_with("high_priority"), "{}", r.findings);
        let unchecked = row(&entry, &LedgerFacts::from_checks(&entry, None, None, BTreeMap::new(), Vec::new()));
        assert_eq!((unchecked.counts, unchecked.flags.as_str(), unchecked.licence_checks.as_str()), (None, "", "not checked"));
        Ok(())
    }
}
