//! `finding.reported`: something a patrol found (DOMAIN.md's list of violations), where, and
//! whether the officer stopped it on the spot (制止). It must be reported upward.

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::ids::{EventId, LicenceId, ZoneId};
use crate::values::{Coord, check_text, check_time};

/// What a patrol looks for. Chinese labels are what users see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// 无证开采
    UnlicensedMining,
    /// 无证勘查: exploration (drilling, trenching, sampling) with no exploration right.
    UnlicensedExploration,
    /// 越界越层开采
    BeyondLicence,
    /// 以采代探
    MiningUnderExploration,
    /// 非法买卖
    IllegalTrading,
    /// 不按开采方式开采
    UnapprovedMethod,
    /// 尾砂库用地
    TailingsWithoutApproval,
    /// 地质灾害隐患
    GeologicalHazard,
    /// Unsafe blasting or hoisting equipment
    UnsafeEquipment,
    /// Illegal "resource fees" demanded from licence holders by villages
    IllegalResourceFee,
    Other,
}

impl FindingKind {
    pub const ALL: [FindingKind; 11] = [
        FindingKind::UnlicensedMining,
        FindingKind::UnlicensedExploration,
        FindingKind::BeyondLicence,
        FindingKind::MiningUnderExploration,
        FindingKind::IllegalTrading,
        FindingKind::UnapprovedMethod,
        FindingKind::TailingsWithoutApproval,
        FindingKind::GeologicalHazard,
        FindingKind::UnsafeEquipment,
        FindingKind::IllegalResourceFee,
        FindingKind::Other,
    ];

    /// Whether the finding is extraction going on at its location, which only a licence in force
    /// there allows: unlicensed mining, mining beyond a licence, mining under cover of
    /// exploration, and mining not by the approved method. The other kinds happen lawfully
    /// outside licensed areas (a trader's yard, a tailings pond on land approved separately, a
    /// hazardous slope, unsafe equipment in store, a village demanding fees), so being in no
    /// licence says nothing about them.
    pub fn is_mining_activity(self) -> bool {
        matches!(
            self,
            FindingKind::UnlicensedMining
                | FindingKind::BeyondLicence
                | FindingKind::MiningUnderExploration
                | FindingKind::UnapprovedMethod
        )
    }

    /// Whether the finding is work that only a licence in force at its location allows: mining
    /// activity, or exploration without a right. These are the findings the licence checks flag.
    pub fn needs_licence(self) -> bool {
        self.is_mining_activity() || self == FindingKind::UnlicensedExploration
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            FindingKind::UnlicensedMining => "无证开采",
            FindingKind::UnlicensedExploration => "无证勘查",
            FindingKind::BeyondLicence => "越界越层开采",
            FindingKind::MiningUnderExploration => "以采代探",
            FindingKind::IllegalTrading => "非法买卖",
            FindingKind::UnapprovedMethod => "不按开采方式开采",
            FindingKind::TailingsWithoutApproval => "尾砂库用地",
            FindingKind::GeologicalHazard => "地质灾害隐患",
            FindingKind::UnsafeEquipment => "爆破提升设备不安全",
            FindingKind::IllegalResourceFee => "非法收取资源费",
            FindingKind::Other => "其他",
        }
    }
}

/// The minerals found in the county (DOMAIN.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mineral {
    Tin,
    Copper,
    Lead,
    Zinc,
    Gold,
    Silver,
    Cobalt,
    Manganese,
    Iron,
    Tungsten,
    RareEarth,
    Uranium,
    Coal,
    Fluorite,
    Graphite,
    CementLimestone,
    Kaolin,
    RockSalt,
    Mirabilite,
    Mica,
    Quartz,
    Crystal,
    MaifanStone,
    OrnamentalGranite,
    /// 建筑用砂石粘土 (building sand, gravel and clay, 砂石粘土).
    BuildingSandGravelClay,
    /// 砖瓦用粘土 (clay for bricks and tiles).
    BrickClay,
    /// 铅锌 (a lead-zinc ore, mined as one).
    LeadZinc,
}

impl Mineral {
    /// Rare earth and tin are protected minerals under controlled mining (保护性开采特定矿种):
    /// any finding involving them is high priority.
    pub fn is_protected(self) -> bool {
        matches!(self, Mineral::RareEarth | Mineral::Tin)
    }
}

/// Ground elevations a finding may state, in metres above sea level: below the lowest dry land
/// (the Dead Sea shore, about −430 m) to above the highest (Everest, 8,849 m).
pub const SURFACE_ELEVATION_M: std::ops::RangeInclusive<i32> = -500..=9_000;

/// `finding.reported` v1. The finding's id is the id of the event that reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingReported {
    /// The `patrol.recorded` event this finding was made on.
    pub patrol: EventId,
    pub zone: ZoneId,
    pub kind: FindingKind,
    pub location: Coord,
    /// Depth below the surface in metres, where the officer could tell.
    ///
    /// Licences state their levels as elevations (`top_m` down to `bottom_m`, metres above sea
    /// level), so the working's elevation is `surface_elevation_m - depth_m`. With either of the
    /// two missing, the licensed depth is not checked (and the licence verdict says so).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depth_m: Option<i32>,
    /// Ground elevation at `location` in metres above sea level, from the phone's GNSS altitude.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surface_elevation_m: Option<i32>,
    /// The mine the officer names, e.g. "this is mine X working beyond its boundary".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence: Option<LicenceId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mineral: Option<Mineral>,
    pub description: String,
    /// Stopped on the spot (制止).
    pub stopped_on_spot: bool,
    /// Unix milliseconds, UTC.
    pub observed_at: i64,
}

impl FindingReported {
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_time("observed_at", self.observed_at)?;
        if let Some(d) = self.depth_m
            && !(0..=5_000).contains(&d)
        {
            return Err(ValidationError::field("depth_m", "must be between 0 and 5000 metres"));
        }
        if let Some(e) = self.surface_elevation_m
            && !SURFACE_ELEVATION_M.contains(&e)
        {
            return Err(ValidationError::field("surface_elevation_m", "must be between -500 and 9000 metres"));
        }
        check_text("description", &self.description, 4_000)
    }

    /// Checks that a stated observation time lies within the finding's patrol, `started_at` to
    /// `ended_at` (both allowed): a finding noted on paper and typed in later states when it was
    /// seen, and it was seen on that patrol. A finding typed in without one takes the typing time,
    /// which is not checked.
    pub fn check_observed_within(observed_at: i64, started_at: i64, ended_at: i64) -> Result<(), ValidationError> {
        if (started_at..=ended_at).contains(&observed_at) {
            return Ok(());
        }
        let at = crate::values::county_time;
        Err(ValidationError::field(
            "observed_at",
            format!("{} is not within its patrol, {} to {}", at(observed_at), at(started_at), at(ended_at)),
        ))
    }

    /// Whether the finding's own mineral is protected. The licence check also counts the mineral
    /// of a licence the finding names or lies in, in force or not (`checks::licence`).
    pub fn is_high_priority(&self) -> bool {
        self.mineral.is_some_and(Mineral::is_protected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_extraction_is_mining_activity_and_exploration_needs_a_licence_too() {
        let mining: Vec<FindingKind> = FindingKind::ALL.into_iter().filter(|k| k.is_mining_activity()).collect();
        assert_eq!(
            mining,
            [FindingKind::UnlicensedMining, FindingKind::BeyondLicence, FindingKind::MiningUnderExploration, FindingKind::UnapprovedMethod]
        );
        let licensed: Vec<FindingKind> = FindingKind::ALL.into_iter().filter(|k| k.needs_licence()).collect();
        assert_eq!(licensed.len(), 5);
        assert!(licensed.contains(&FindingKind::UnlicensedExploration));
        assert_eq!(FindingKind::UnlicensedExploration.label_zh(), "无证勘查");
    }

    #[test]
    fn an_observation_time_must_lie_within_its_patrol() {
        let (start, end) = (1_795_660_925_000, 1_795_660_925_000 + 3_600_000);
        for (at, ok) in [(start, true), (end, true), (start + 60_000, true), (start - 1, false), (end + 1, false)] {
            assert_eq!(FindingReported::check_observed_within(at, start, end).is_ok(), ok, "{at}");
        }
        let e = FindingReported::check_observed_within(end + 86_400_000, start, end).expect_err("a day late");
        assert_eq!(e.to_string(), "observed_at: 2026-11-27 11:42:05 is not within its patrol, 2026-11-26 10:42:05 to 2026-11-26 11:42:05");
    }

    #[test]
    fn the_new_kinds_and_minerals_have_their_wire_names() {
        let json = |v: serde_json::Value| v.as_str().map(str::to_owned).unwrap_or_default();
        assert_eq!(json(serde_json::to_value(FindingKind::UnlicensedExploration).expect("json")), "unlicensed_exploration");
        for (m, name) in [
            (Mineral::BuildingSandGravelClay, "building_sand_gravel_clay"),
            (Mineral::BrickClay, "brick_clay"),
            (Mineral::LeadZinc, "lead_zinc"),
        ] {
            assert_eq!(json(serde_json::to_value(m).expect("json")), name);
            assert_eq!(serde_json::from_value::<Mineral>(name.into()).expect("parse"), m);
        }
    }

    #[test]
    fn the_new_fields_are_optional_and_checked() {
        let old = serde_json::json!({
            "patrol": "0192f0c1-7a3b-7c00-8000-000000000001", "zone": "Z-T01-V01", "kind": "other",
            "location": {"lon": 1_145_000_000, "lat": 255_000_000}, "description": "", "stopped_on_spot": false,
            "observed_at": 1_764_131_257_000_i64
        });
        let f: FindingReported = serde_json::from_value(old.clone()).expect("an old finding reads");
        assert_eq!((f.licence.as_ref(), f.surface_elevation_m), (None, None));
        assert_eq!(serde_json::to_value(&f).expect("json"), old, "and writes the same keys, so hashes the same");
        for (e, ok) in [(-500, true), (9_000, true), (-501, false), (9_001, false)] {
            assert_eq!(FindingReported { surface_elevation_m: Some(e), ..f.clone() }.validate().is_ok(), ok, "{e}");
        }
    }
}
