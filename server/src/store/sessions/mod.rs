//! Users, devices and login sessions ([`Sessions`]): who is calling, read on every request so
//! that disabling a user or revoking a device takes effect at once; devices enrolled at login;
//! sessions started, their refresh tokens rotated (the rule is [`refresh::decide`]) and ended.

pub mod refresh;

use sync_protocol::body::Role;
use sync_protocol::crypto::PublicKey;
use sync_protocol::ids::{DeviceId, UnitId, UserId};
use sync_protocol::wire::DeviceEnrolment;

pub use refresh::{RefreshToken, SessionId};

use super::StoreFuture;

/// A user as the auth layer needs them.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: UserId,
    pub display_name: String,
    pub role: Role,
    pub units: Vec<UnitId>,
    pub password_hash: String,
    pub disabled: bool,
    /// The password is a one-time password an admin issued: the next login must replace it.
    pub must_change_password: bool,
    pub phone: Option<String>,
}

#[derive(Debug, Clone)]
pub struct DeviceRecord {
    pub id: DeviceId,
    pub user: UserId,
    pub key: PublicKey,
    pub revoked: bool,
    pub head_seq: u64,
}

/// The holder of a live session, as of now: the user, the device, for a village officer the
/// village of the zone assigned to them now, and for a township inspector the tips assigned now
/// to their townships (whose buckets their scope holds).
#[derive(Debug, Clone)]
pub struct SessionHolder {
    pub user: UserRecord,
    pub device: DeviceRecord,
    pub village: Option<UnitId>,
    pub tips: Vec<sync_protocol::ids::EventId>,
}

/// How long sessions and refresh tokens live (`[auth.sessions]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionSettings {
    /// How long an unused refresh token stays valid, seconds: a phone offline longer logs in again.
    pub refresh_ttl_s: i64,
    /// A session's absolute lifetime, seconds, however often it is refreshed.
    pub max_session_s: i64,
    /// How long a spent refresh token may come back, seconds, when its reply was lost.
    pub reuse_grace_s: i64,
}

impl Default for SessionSettings {
    fn default() -> Self {
        SessionSettings { refresh_ttl_s: 30 * 86_400, max_session_s: 90 * 86_400, reuse_grace_s: 30 }
    }
}

/// A refresh token just issued, and when it runs out (Unix ms).
#[derive(Debug, Clone)]
pub struct Issued {
    pub session: SessionId,
    pub user: UserId,
    pub device: DeviceId,
    pub refresh_expires_at: i64,
}

/// Why a refresh gave no token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshRefused {
    /// No such token.
    Unknown,
    /// The session was ended or ran out, or its user or device was disabled.
    Ended,
    /// A spent token came back: the session is now revoked.
    Reused,
}

/// Why a session was ended, as the store records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    Logout,
    RefreshReused,
    UserDisabled,
    DeviceRevoked,
    PasswordReset,
}

impl SessionEnd {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionEnd::Logout => "logout",
            SessionEnd::RefreshReused => "refresh_reused",
            SessionEnd::UserDisabled => "user_disabled",
            SessionEnd::DeviceRevoked => "device_revoked",
            SessionEnd::PasswordReset => "password_reset",
        }
    }
}

pub trait Sessions: Send + Sync {
    /// The user `user` and the device `device`, each if it exists, read together.
    fn user_and_device(&self, user: UserId, device: DeviceId) -> StoreFuture<'_, (Option<UserRecord>, Option<DeviceRecord>)>;

    /// The holder of `session` if it is live now for `user` on `device`; `None` when the user,
    /// the device or the live session is missing.
    fn session_holder(&self, user: UserId, device: DeviceId, session: SessionId) -> StoreFuture<'_, Option<SessionHolder>>;

    /// Enrols `device` for `user` if it is new (a device is bound to one user and one key, for
    /// good) and starts a session with its first refresh token; returns the seq the server
    /// expects next from the device and the session.
    fn enrol_and_start_session(
        &self,
        user: UserId,
        device: DeviceEnrolment,
        token: RefreshToken,
        settings: SessionSettings,
    ) -> StoreFuture<'_, (u64, Issued)>;

    /// Spends `presented` and stores `next` as its successor, or says why not. A reused token
    /// revokes its session in the same transaction as the answer.
    fn refresh_session(
        &self,
        presented: RefreshToken,
        next: RefreshToken,
        settings: SessionSettings,
    ) -> StoreFuture<'_, Result<Issued, RefreshRefused>>;

    /// Ends `session` (idempotent): its refresh tokens and access tokens stop working.
    fn end_session(&self, session: SessionId, why: SessionEnd) -> StoreFuture<'_, ()>;

    /// Replaces `user`'s hash `old` by `new` (a rehash at a higher cost); changes nothing if the
    /// stored hash is no longer `old`.
    fn replace_password(&self, user: UserId, old: String, new: String) -> StoreFuture<'_, ()>;
}
