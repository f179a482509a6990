//! `finding.reported`: something a patrol found (DOMAIN.md's list of violations), where, and
//! whether the officer stopped it on the spot (制止). It must be reported upward.

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::ids::{EventId, ZoneId};
use crate::values::{Coord, check_text, check_time};

/// What a patrol looks for. Chinese labels are what users see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// 无证勘查开采
    UnlicensedMining,
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
    pub const ALL: [FindingKind; 10] = [
        FindingKind::UnlicensedMining,
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

    pub fn label_zh(self) -> &'static str {
        match self {
            FindingKind::UnlicensedMining => "无证勘查开采",
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
    BuildingSandGravelClay,
}

impl Mineral {
    /// Rare earth and tin are protected minerals under controlled mining (保护性开采特定矿种):
    /// any finding involving them is high priority.
    pub fn is_protected(self) -> bool {
        matches!(self, Mineral::RareEarth | Mineral::Tin)
    }
}

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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depth_m: Option<i32>,
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
        check_text("description", &self.description, 4_000)
    }

    pub fn is_high_priority(&self) -> bool {
        self.mineral.is_some_and(Mineral::is_protected)
    }
}
