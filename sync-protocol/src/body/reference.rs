//! Reference data, authored by the server and synced like everything else: administrative units,
//! patrol zones, users and their roles, zone assignments, and mine licences.

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::ids::{LicenceId, UnitId, UserId, ZoneId};
use crate::values::{Polygon, check_text, check_time};

/// The level of an administrative unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitLevel {
    /// 县
    County,
    /// 乡
    Township,
    /// 镇
    Town,
    /// 场 (a state farm at township level)
    Farm,
    /// 村委会
    Village,
}

impl UnitLevel {
    pub fn is_township_level(self) -> bool {
        matches!(self, UnitLevel::Township | UnitLevel::Town | UnitLevel::Farm)
    }
}

/// `unit.defined` v2: a county, township-level unit or village, with its boundary when known. A
/// unit enrolled from a roster (or the county made by `init`) has none until the reference
/// GeoJSON gives it one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitDefined {
    pub unit: UnitId,
    pub level: UnitLevel,
    pub name: String,
    pub name_zh: String,
    /// The unit above (none for the county).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<UnitId>,
    /// Whether a land office (国土资源所) sits in this township-level unit.
    #[serde(default)]
    pub land_office: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boundary: Option<Polygon>,
}

/// `unit.defined` v1: v2 whose boundary is required.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitDefinedV1 {
    pub unit: UnitId,
    pub level: UnitLevel,
    pub name: String,
    pub name_zh: String,
    #[serde(default)]
    pub parent: Option<UnitId>,
    #[serde(default)]
    pub land_office: bool,
    pub boundary: Polygon,
}

impl From<UnitDefinedV1> for UnitDefined {
    fn from(v1: UnitDefinedV1) -> Self {
        let UnitDefinedV1 { unit, level, name, name_zh, parent, land_office, boundary } = v1;
        UnitDefined { unit, level, name, name_zh, parent, land_office, boundary: Some(boundary) }
    }
}

/// `zone.defined` v1: the patrol zone of a village (分片包干), valid from a time on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZoneDefined {
    pub zone: ZoneId,
    pub village: UnitId,
    pub township: UnitId,
    pub name: String,
    pub boundary: Polygon,
    /// Unix milliseconds from which this boundary holds.
    pub valid_from: i64,
}

/// What a user may do; read from the store on every request on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 动态巡查信息员
    VillageOfficer,
    /// 国土资源执法监察员
    TownshipInspector,
    /// 矿产股 / 执法监察大队
    CountyAuditor,
    /// 特邀监察专员, read-only
    Commissioner,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::VillageOfficer => "village_officer",
            Role::TownshipInspector => "township_inspector",
            Role::CountyAuditor => "county_auditor",
            Role::Commissioner => "commissioner",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [Role::VillageOfficer, Role::TownshipInspector, Role::CountyAuditor, Role::Commissioner, Role::Admin]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// `user.enrolled` v2: a person who uses the system, with their role and the units they answer
/// for (a township inspector: the units their land office serves; county roles: the county), a
/// phone number if the roster gives one, and the admin who enrolled them (none for the demo, the
/// first admin made by `init`, and v1 bodies). Never carries a password or any secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserEnrolled {
    pub user: UserId,
    pub display_name: String,
    pub role: Role,
    pub units: Vec<UnitId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<UserId>,
}

/// `user.enrolled` v1: v2 without a phone or an enrolling admin.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserEnrolledV1 {
    pub user: UserId,
    pub display_name: String,
    pub role: Role,
    pub units: Vec<UnitId>,
}

impl From<UserEnrolledV1> for UserEnrolled {
    fn from(v1: UserEnrolledV1) -> Self {
        UserEnrolled { user: v1.user, display_name: v1.display_name, role: v1.role, units: v1.units, phone: None, by: None }
    }
}

/// `assignment.set` v2: from `from` on, `officer` patrols `zone` (or no zone, when `None`).
/// An officer has one zone at a time; a later assignment ends the earlier one. `by` is the admin
/// who made the change (none for the demo, a GeoJSON reference import, and v1 bodies).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignmentSet {
    pub officer: UserId,
    pub zone: Option<ZoneId>,
    /// Unix milliseconds.
    pub from: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<UserId>,
}

/// `assignment.set` v1: v2 without the admin.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignmentSetV1 {
    pub officer: UserId,
    pub zone: Option<ZoneId>,
    pub from: i64,
}

impl From<AssignmentSetV1> for AssignmentSet {
    fn from(v1: AssignmentSetV1) -> Self {
        AssignmentSet { officer: v1.officer, zone: v1.zone, from: v1.from, by: None }
    }
}

/// Mining right (采矿权) or exploration right (探矿权).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RightKind {
    Mining,
    Exploration,
}

/// Who issued a licence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssuingLevel {
    City,
    County,
}

/// `licence.granted` v1: a mining or exploration licence with its licensed area and depth levels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenceGranted {
    pub licence: LicenceId,
    pub holder: String,
    pub mineral: super::Mineral,
    pub right: RightKind,
    pub issuer: IssuingLevel,
    /// Dates as Unix milliseconds (start of day, Asia/Shanghai).
    pub valid_from: i64,
    pub valid_to: i64,
    pub area: Polygon,
    /// Licensed levels as elevations in metres above sea level: mining from `top_m` down to `bottom_m`.
    pub top_m: i32,
    pub bottom_m: i32,
    /// The villages whose zones the area touches (used to route the licence to their devices).
    pub villages: Vec<UnitId>,
}

impl UnitDefined {
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_text("name", &self.name, 200)?;
        check_text("name_zh", &self.name_zh, 200)?;
        self.boundary.as_ref().map_or(Ok(()), Polygon::validate)
    }
}

impl ZoneDefined {
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_text("name", &self.name, 200)?;
        check_time("valid_from", self.valid_from)?;
        self.boundary.validate()
    }
}

impl UserEnrolled {
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_text("display_name", &self.display_name, 200)?;
        check_phone(self.phone.as_deref())
    }
}

/// The most characters of a phone number.
pub const MAX_PHONE_CHARS: usize = 32;

/// A phone number, if any: digits, spaces, `+`, `-`, `(` and `)`, at most [`MAX_PHONE_CHARS`],
/// at least one digit.
pub fn check_phone(phone: Option<&str>) -> Result<(), ValidationError> {
    let Some(phone) = phone else { return Ok(()) };
    if phone.chars().count() > MAX_PHONE_CHARS {
        return Err(ValidationError::field("phone", format!("longer than {MAX_PHONE_CHARS} characters")));
    }
    let allowed = |c: char| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')');
    if !phone.chars().all(allowed) || !phone.chars().any(|c| c.is_ascii_digit()) {
        return Err(ValidationError::field("phone", "holds digits, spaces, +, -, ( and ) only"));
    }
    Ok(())
}

impl AssignmentSet {
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_time("from", self.from)
    }
}

impl LicenceGranted {
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_text("holder", &self.holder, 200)?;
        check_time("valid_from", self.valid_from)?;
        check_time("valid_to", self.valid_to)?;
        if self.valid_to < self.valid_from {
            return Err(ValidationError::field("valid_to", "is before valid_from"));
        }
        if self.bottom_m > self.top_m {
            return Err(ValidationError::field("bottom_m", "is above top_m"));
        }
        self.area.validate()
    }
}
