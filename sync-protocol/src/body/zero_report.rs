//! `zero_report.filed`: the zero-report system (零报告制度): a week with nothing found is still
//! reported, explicitly. Version 2 added the zone; version 1 bodies are upgraded on reading.

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::ids::{UserId, ZoneId};
use crate::values::{IsoWeek, check_text};

/// `zero_report.filed`, current version (2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZeroReportFiled {
    pub officer: UserId,
    pub week: IsoWeek,
    /// The zone reported on; `None` only for version 1 bodies, which did not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<ZoneId>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// `zero_report.filed` version 2 as it travels: unlike the struct it is read into, it must name
/// its zone.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZeroReportFiledV2 {
    pub officer: UserId,
    pub week: IsoWeek,
    pub zone: ZoneId,
    #[serde(default)]
    pub note: String,
}

impl From<ZeroReportFiledV2> for ZeroReportFiled {
    fn from(v2: ZeroReportFiledV2) -> Self {
        ZeroReportFiled { officer: v2.officer, week: v2.week, zone: Some(v2.zone), note: v2.note }
    }
}

/// `zero_report.filed` version 1, as the first devices wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZeroReportFiledV1 {
    pub officer: UserId,
    pub week: IsoWeek,
}

impl From<ZeroReportFiledV1> for ZeroReportFiled {
    fn from(v1: ZeroReportFiledV1) -> Self {
        ZeroReportFiled { officer: v1.officer, week: v1.week, zone: None, note: String::new() }
    }
}

impl ZeroReportFiled {
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_text("note", &self.note, 1_000)
    }
}
