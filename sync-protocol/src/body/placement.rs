//! Where a person may sit: the units a user answers for must fit their role. One rule for the
//! admin API, `init` and the roster import, so every path enrols people the same way.

use super::reference::{Role, UnitLevel};
use crate::ids::UnitId;

/// Why a user's units do not fit their role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Misplaced {
    #[error("unit {0} is not known")]
    UnknownUnit(UnitId),
    #[error("a village officer (动态巡查信息员) answers for exactly one village")]
    OfficerNotInOneVillage,
    #[error("a township inspector (执法监察员) answers for township-level units only, at least one")]
    InspectorOutsideTownship,
    #[error("a county role answers for the county only")]
    CountyRoleOutsideCounty,
}

/// Checks `units` against `role`, reading each unit's level with `level` (`None`: not known).
/// A village officer has one village; a township inspector one or more township-level units (乡,
/// 镇, 场: the units their land office serves); an auditor, a commissioner and an admin the county.
pub fn check_placement(role: Role, units: &[UnitId], level: impl Fn(&UnitId) -> Option<UnitLevel>) -> Result<(), Misplaced> {
    let mut levels = Vec::with_capacity(units.len());
    for unit in units {
        levels.push(level(unit).ok_or_else(|| Misplaced::UnknownUnit(unit.clone()))?);
    }
    let fits = match role {
        Role::VillageOfficer => levels == [UnitLevel::Village],
        Role::TownshipInspector => !levels.is_empty() && levels.iter().all(|l| l.is_township_level()),
        Role::CountyAuditor | Role::Commissioner | Role::Admin => levels == [UnitLevel::County],
    };
    if fits {
        return Ok(());
    }
    Err(match role {
        Role::VillageOfficer => Misplaced::OfficerNotInOneVillage,
        Role::TownshipInspector => Misplaced::InspectorOutsideTownship,
        Role::CountyAuditor | Role::Commissioner | Role::Admin => Misplaced::CountyRoleOutsideCounty,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(unit: &UnitId) -> Option<UnitLevel> {
        match unit.as_str() {
            "CTY" => Some(UnitLevel::County),
            "T01" => Some(UnitLevel::Township),
            "T14" => Some(UnitLevel::Farm),
            "T01-V01" | "T01-V02" => Some(UnitLevel::Village),
            _ => None,
        }
    }

    fn units(ids: &[&str]) -> Vec<UnitId> {
        ids.iter().map(|id| UnitId::new(*id).expect("id")).collect()
    }

    #[test]
    fn each_role_sits_at_its_own_level() {
        use Misplaced::*;
        use Role::*;
        let table: &[(Role, &[&str], Result<(), Misplaced>)] = &[
            (VillageOfficer, &["T01-V01"], Ok(())),
            (VillageOfficer, &[], Err(OfficerNotInOneVillage)),
            (VillageOfficer, &["T01-V01", "T01-V02"], Err(OfficerNotInOneVillage)),
            (VillageOfficer, &["T01"], Err(OfficerNotInOneVillage)),
            (TownshipInspector, &["T01", "T14"], Ok(())),
            (TownshipInspector, &["T01-V01"], Err(InspectorOutsideTownship)),
            (TownshipInspector, &["CTY"], Err(InspectorOutsideTownship)),
            (TownshipInspector, &[], Err(InspectorOutsideTownship)),
            (CountyAuditor, &["CTY"], Ok(())),
            (Admin, &["CTY"], Ok(())),
            (Commissioner, &["T01"], Err(CountyRoleOutsideCounty)),
            (Admin, &[], Err(CountyRoleOutsideCounty)),
            (Admin, &["T99"], Err(UnknownUnit(UnitId::new("T99").expect("id")))),
        ];
        for (role, ids, want) in table {
            assert_eq!(&check_placement(*role, &units(ids), level), want, "{role:?} {ids:?}");
        }
    }
}
