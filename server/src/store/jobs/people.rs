//! People administration inside the writer: a user enrolled or changed by an admin (their units
//! checked against their role, their zone against their village), passwords reset and changed,
//! each authored as an event in the transaction that changes the tables; and the access log.

use sync_protocol::body::{AssignmentSet, Body, PasswordChanged, PasswordReset, UnitLevel, UserChanged, UserEnrolled, check_placement};
use sync_protocol::ids::{DeviceId, EventId, UnitId, UserId};
use sync_protocol::wire::people::{AccessKind, AccessLog, AccessQuery, AccessRecord, MAX_ACCESS_PAGE};

use super::WriteCtx;
use super::sessions::{Holder, end_sessions};
use super::{Conflict, Entity, StoreError};
use crate::args;
use crate::store::people::{AccessEntry, NewCounty, PasswordHash};
use crate::store::principal;
use crate::store::sessions::SessionEnd;
use crate::store::sql::Sql;

impl WriteCtx<'_> {
    /// Founds a county in an empty store (see `People::found_county`).
    pub fn found_county(&mut self, c: NewCounty) -> Result<Vec<EventId>, StoreError> {
        let held: bool = self
            .conn
            .one("SELECT EXISTS (SELECT 1 FROM units) OR EXISTS (SELECT 1 FROM users WHERE id <> ?1)", args![self.server.user.as_str()])?
            .get(0)?;
        if held {
            return Err(StoreError::Conflict(Conflict::CountyExists));
        }
        let events = vec![self.author(&Body::UnitDefined(c.county))?, self.author(&Body::UserEnrolled(c.admin))?];
        self.set_initial_passwords(std::slice::from_ref(&c.password))?;
        self.conn.run("INSERT INTO meta (key, value) VALUES ('time_zone', ?1)", args![c.time_zone.as_bytes()])?;
        Ok(events)
    }

    /// Enrols `user`, assigns their zone, stores their one-time password (see
    /// `People::enrol_person`).
    pub fn enrol_person(
        &mut self,
        user: UserEnrolled,
        assignment: Option<AssignmentSet>,
        password: PasswordHash,
    ) -> Result<Vec<EventId>, StoreError> {
        if principal::user(self.conn, user.user.as_str())?.is_some() || user.user == self.server.user {
            return Err(StoreError::Conflict(Conflict::UserExists(user.user)));
        }
        check_placement(user.role, &user.units, |u| unit_level(self.conn, u).ok().flatten())
            .map_err(|why| StoreError::Conflict(Conflict::Misplaced(user.user.clone(), why)))?;
        let mut events = vec![self.author(&Body::UserEnrolled(user.clone()))?];
        if let Some(a) = assignment {
            self.check_zone_village(&a, &user.units)?;
            events.push(self.assign(a)?);
        }
        self.store_password(&password)?;
        Ok(events)
    }

    /// A zone assigned to an officer must patrol their village (when the zone is known).
    fn check_zone_village(&self, a: &AssignmentSet, units: &[UnitId]) -> Result<(), StoreError> {
        let Some(zone) = &a.zone else { return Ok(()) };
        let village =
            self.conn.optional("SELECT village FROM zones WHERE id = ?1", args![zone.as_str()])?.map(|r| r.get::<String>(0)).transpose()?;
        match village {
            None => Err(StoreError::not_found(Entity::Zone, zone)),
            Some(v) if units.iter().any(|u| u.as_str() == v) => Ok(()),
            Some(v) => Err(StoreError::Conflict(Conflict::ZoneElsewhere { zone: zone.clone(), village: v })),
        }
    }

    /// Records `change` if it differs from the stored record.
    pub fn change_person(&mut self, change: UserChanged) -> Result<Option<EventId>, StoreError> {
        let record = principal::user(self.conn, change.user.as_str())?
            .filter(|u| u.id != self.server.user)
            .ok_or_else(|| StoreError::not_found(Entity::User, &change.user))?;
        check_placement(change.role, &change.units, |u| unit_level(self.conn, u).ok().flatten())
            .map_err(|why| StoreError::Conflict(Conflict::Misplaced(change.user.clone(), why)))?;
        let same = record.display_name == change.display_name && record.role == change.role && record.units == change.units;
        if same && record.phone == change.phone {
            return Ok(None);
        }
        self.author(&Body::UserChanged(change)).map(Some)
    }

    /// Stores a password set for the user by the admin `by` (or the operator, with none), ends
    /// the user's sessions, records it.
    pub fn reset_password(&mut self, by: Option<UserId>, password: PasswordHash) -> Result<EventId, StoreError> {
        self.store_password(&password)?;
        end_sessions(self.conn, Holder::User(password.user.as_str()), SessionEnd::PasswordReset, self.now_ms)?;
        let reset = PasswordReset { user: password.user.clone(), by: by.clone(), one_time: password.one_time };
        let event = self.author(&Body::PasswordReset(reset))?;
        let entry =
            AccessEntry { username: password.user.to_string(), kind: AccessKind::PasswordReset, device: None, by, detail: String::new() };
        self.log_access(&entry)?;
        Ok(event)
    }

    /// Stores the password the user chose and records it.
    pub fn change_password(&mut self, password: PasswordHash, device: Option<DeviceId>) -> Result<EventId, StoreError> {
        self.store_password(&PasswordHash { one_time: false, ..password.clone() })?;
        let event = self.author(&Body::PasswordChanged(PasswordChanged { user: password.user.clone() }))?;
        let entry =
            AccessEntry { username: password.user.to_string(), kind: AccessKind::PasswordChanged, device, by: None, detail: String::new() };
        self.log_access(&entry)?;
        Ok(event)
    }

    /// Sets a user's hash and one-time mark.
    fn store_password(&self, p: &PasswordHash) -> Result<(), StoreError> {
        let changed = self.conn.run(
            "UPDATE users SET password_hash = ?2, must_change_password = ?3 WHERE id = ?1 AND id <> 'system'",
            args![p.user.as_str(), p.phc.as_str(), p.one_time],
        )?;
        if changed == 1 { Ok(()) } else { Err(StoreError::not_found(Entity::User, &p.user)) }
    }

    /// Stores each password of a user who has none yet (just enrolled); others are left alone.
    pub fn set_initial_passwords(&self, passwords: &[PasswordHash]) -> Result<(), StoreError> {
        for p in passwords {
            self.conn.run(
                "UPDATE users SET password_hash = ?2, must_change_password = ?3 WHERE id = ?1 AND password_hash = '' AND id <> 'system'",
                args![p.user.as_str(), p.phc.as_str(), p.one_time],
            )?;
        }
        Ok(())
    }

    /// Appends to the access log.
    pub fn log_access(&self, e: &AccessEntry) -> Result<(), StoreError> {
        self.conn.run(
            "INSERT INTO access_log (at, username, what, device, by_user, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            args![
                self.now_ms,
                e.username.as_str(),
                e.kind.as_str(),
                e.device.map(|d| d.0.as_bytes().to_vec()),
                e.by.as_ref().map(UserId::as_str),
                e.detail.as_str()
            ],
        )?;
        Ok(())
    }
}

/// A stored unit's level, if the unit is known.
pub fn unit_level(conn: &dyn Sql, unit: &UnitId) -> Result<Option<UnitLevel>, StoreError> {
    let level = conn.optional("SELECT level FROM units WHERE id = ?1", args![unit.as_str()])?.map(|r| r.get::<String>(0)).transpose()?;
    level
        .map(|l| {
            serde_json::from_value(serde_json::Value::String(l.clone()))
                .map_err(|_| StoreError::corrupt("units", format!("{unit}: level {l}")))
        })
        .transpose()
}

/// A page of the access log.
pub fn access_log(conn: &dyn Sql, q: &AccessQuery) -> Result<AccessLog, StoreError> {
    let limit = q.limit.unwrap_or(MAX_ACCESS_PAGE).clamp(1, MAX_ACCESS_PAGE);
    let rows = conn.all(
        "SELECT id, at, username, what, device, by_user, detail FROM access_log
         WHERE id > ?1 AND (CAST(?2 AS TEXT) IS NULL OR username = ?2) ORDER BY id LIMIT ?3",
        args![q.after.unwrap_or(0), q.username.as_deref(), limit + 1],
    )?;
    let mut entries = Vec::new();
    for r in rows {
        let (id, at, username, what): (i64, i64, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
        let (device, by, detail): (Option<Vec<u8>>, Option<String>, String) = (r.get(4)?, r.get(5)?, r.get(6)?);
        let corrupt = |what: &str| StoreError::corrupt("access_log", format!("{id}: {what}"));
        let device = device.map(|d| uuid::Uuid::from_slice(&d).map(DeviceId).map_err(|_| corrupt("device"))).transpose()?;
        let by = by.map(|b| UserId::new(b).map_err(|_| corrupt("by_user"))).transpose()?;
        let kind = AccessKind::parse(&what).ok_or_else(|| corrupt("what"))?;
        entries.push(AccessRecord { id, at, username, kind, device, by, detail });
    }
    let more = entries.len() > limit as usize;
    entries.truncate(limit as usize);
    Ok(AccessLog { entries, more })
}
