//! People administration on the wire: an admin enrols or changes a user and resets a password
//! (`/v1/admin/users…`), a user changes their own (`POST /v1/auth/password`), and the county reads
//! the access log (`GET /v1/audit/access`). A one-time password travels only in the reply to the
//! admin who reset it; the access log never holds a password or a token.

use serde::{Deserialize, Serialize};

use crate::body::Role;
use crate::ids::{DeviceId, UnitId, UserId, ZoneId};

/// `POST /v1/admin/users`: a new user, with their zone from `from` on for a village officer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub user: UserId,
    pub display_name: String,
    pub role: Role,
    pub units: Vec<UnitId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<ZoneId>,
    /// Unix ms from which the zone is theirs (default: now).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<i64>,
}

/// `POST /v1/admin/users/{id}`: what changes (fields left out stay as they are; `phone: ""`
/// removes the phone number).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserChange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<Vec<UnitId>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// The reply to enrolling a user or resetting a password: the events recorded and the one-time
/// password to hand to the user, which they must change at their next login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OneTimePassword {
    pub user: UserId,
    pub one_time_password: String,
    pub events: Vec<crate::ids::EventId>,
}

/// `POST /v1/auth/password`: the caller's current password and the new one.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// What an access log entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessKind {
    Login,
    LoginFailed,
    PasswordChanged,
    PasswordReset,
}

impl AccessKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AccessKind::Login => "login",
            AccessKind::LoginFailed => "login_failed",
            AccessKind::PasswordChanged => "password_changed",
            AccessKind::PasswordReset => "password_reset",
        }
    }

    pub fn parse(s: &str) -> Option<AccessKind> {
        [AccessKind::Login, AccessKind::LoginFailed, AccessKind::PasswordChanged, AccessKind::PasswordReset]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// One entry of the access log. `username` is as it was typed at a login (it may name no user).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRecord {
    /// Position in the log (ascending); page with `after`.
    pub id: i64,
    /// Unix ms.
    pub at: i64,
    pub username: String,
    pub kind: AccessKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<DeviceId>,
    /// The admin who reset a password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<UserId>,
    /// Why a login failed (`wrong_credentials`, `throttled`, `password_change_required`, …).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

/// `GET /v1/audit/access` query: entries after `after` (an id), of `username` if given, at most
/// `limit` (default and cap [`MAX_ACCESS_PAGE`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// The most entries one page of the access log holds.
pub const MAX_ACCESS_PAGE: u32 = 1_000;

/// A page of the access log, oldest first; `more` when entries follow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessLog {
    pub entries: Vec<AccessRecord>,
    pub more: bool,
}
