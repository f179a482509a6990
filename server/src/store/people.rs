//! People administration in the store ([`People`]): users enrolled and changed by an admin,
//! passwords reset (a one-time password) and changed, each authored as an event naming who did it;
//! and the access log of logins, failed logins and password changes.

use sync_protocol::body::{AssignmentSet, UnitDefined, UserChanged, UserEnrolled};
use sync_protocol::ids::{DeviceId, EventId, UserId};
use sync_protocol::wire::people::{AccessKind, AccessLog, AccessQuery};

use super::StoreFuture;

/// A password hash (argon2id PHC string, made off the writer) to store for a user. `one_time`: an
/// admin issued it, and its user must replace it at their next login.
#[derive(Debug, Clone)]
pub struct PasswordHash {
    pub user: UserId,
    pub phc: String,
    pub one_time: bool,
}

/// One entry to append to the access log (never a password or a token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEntry {
    pub username: String,
    pub kind: AccessKind,
    pub device: Option<DeviceId>,
    pub by: Option<UserId>,
    pub detail: String,
}

/// A county put into service by `init`: its unit, its time zone, its first admin and their
/// password.
#[derive(Debug, Clone)]
pub struct NewCounty {
    pub county: UnitDefined,
    pub time_zone: String,
    pub admin: UserEnrolled,
    pub password: PasswordHash,
}

pub trait People: Send + Sync {
    /// Founds a county in an empty store, all in one transaction: its `unit.defined`, the first
    /// admin's `user.enrolled` and password, and its time zone. Refused (`CountyExists`) when the
    /// store already holds a unit or a user.
    fn found_county(&self, county: NewCounty) -> StoreFuture<'_, Vec<EventId>>;

    /// Enrols `user` (whose `by` names the admin), assigns their zone if `assignment` is given,
    /// and stores their one-time `password`, in one transaction. Refused when the id is taken,
    /// the units do not fit the role, or the zone is not the officer's village's.
    fn enrol_person(&self, user: UserEnrolled, assignment: Option<AssignmentSet>, password: PasswordHash) -> StoreFuture<'_, Vec<EventId>>;

    /// Records `change` (the user's whole record from now on) if it differs from what is stored;
    /// `None` when nothing changes. Refused for an unknown user or units that do not fit the role.
    fn change_person(&self, change: UserChanged) -> StoreFuture<'_, Option<EventId>>;

    /// Stores a password for `password.user` set by the admin `by` (a one-time password) or by the
    /// operator on the command line (`by: None`), ends the user's sessions, records
    /// `password.reset` and an access log entry.
    fn reset_password(&self, by: Option<UserId>, password: PasswordHash) -> StoreFuture<'_, EventId>;

    /// Stores the password `password.user` chose (on `device`, if known), clears the one-time
    /// mark, records `password.changed` and an access log entry.
    fn change_password(&self, password: PasswordHash, device: Option<DeviceId>) -> StoreFuture<'_, EventId>;

    /// Appends to the access log.
    fn log_access(&self, entry: AccessEntry) -> StoreFuture<'_, ()>;

    /// A page of the access log.
    fn access_log(&self, query: AccessQuery) -> StoreFuture<'_, AccessLog>;
}
