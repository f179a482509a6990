//! People administration inside the writer: a user enrolled or changed by an admin (their units
//! checked against their role, their zone against their village), passwords reset and changed,
//! each authored as an event in the transaction that changes the tables; and the access log.

use rusqlite::{Connection, OptionalExtension, params};
use sync_protocol::body::{AssignmentSet, Body, PasswordChanged, PasswordReset, UnitLevel, UserChanged, UserEnrolled, check_placement};
use sync_protocol::ids::{DeviceId, EventId, UnitId, UserId};
use sync_protocol::wire::people::{AccessKind, AccessLog, AccessQuery, AccessRecord, MAX_ACCESS_PAGE};

use super::sessions::{Holder, end_sessions};
use super::writer::WriteCtx;
use super::{Conflict, Entity, StoreError, principal};
use crate::store::people::{AccessEntry, NewCounty, PasswordHash};
use crate::store::sessions::SessionEnd;

impl WriteCtx<'_> {
    /// Founds a county in an empty store (see `People::found_county`).
    pub fn found_county(&mut self, c: NewCounty) -> Result<Vec<EventId>, StoreError> {
        let held: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM units) OR EXISTS (SELECT 1 FROM users WHERE id <> ?1)",
            [self.server.user.as_str()],
            |r| r.get(0),
        )?;
        if held {
            return Err(StoreError::Conflict(Conflict::CountyExists));
        }
        let events = vec![self.author(&Body::UnitDefined(c.county))?, self.author(&Body::UserEnrolled(c.admin))?];
        self.set_initial_passwords(std::slice::from_ref(&c.password))?;
        self.conn.execute("INSERT INTO meta (key, value) VALUES ('time_zone', ?1)", [c.time_zone.as_bytes()])?;
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
        let village: Option<String> =
            self.conn.query_row("SELECT village FROM zones WHERE id = ?1", [zone.as_str()], |r| r.get(0)).optional()?;
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
        let changed = self.conn.execute(
            "UPDATE users SET password_hash = ?2, must_change_password = ?3 WHERE id = ?1 AND id <> 'system'",
            params![p.user.as_str(), p.phc, p.one_time],
        )?;
        if changed == 1 { Ok(()) } else { Err(StoreError::not_found(Entity::User, &p.user)) }
    }

    /// Stores each password of a user who has none yet (just enrolled); others are left alone.
    pub fn set_initial_passwords(&self, passwords: &[PasswordHash]) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "UPDATE users SET password_hash = ?2, must_change_password = ?3 WHERE id = ?1 AND password_hash = '' AND id <> 'system'",
        )?;
        for p in passwords {
            stmt.execute(params![p.user.as_str(), p.phc, p.one_time])?;
        }
        Ok(())
    }

    /// Appends to the access log.
    pub fn log_access(&self, e: &AccessEntry) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("INSERT INTO access_log (at, username, what, device, by_user, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
            .execute(params![
            self.now_ms,
            e.username,
            e.kind.as_str(),
            e.device.map(|d| d.0.as_bytes().to_vec()),
            e.by.as_ref().map(UserId::as_str),
            e.detail
        ])?;
        Ok(())
    }
}

/// A stored unit's level, if the unit is known.
pub fn unit_level(conn: &Connection, unit: &UnitId) -> Result<Option<UnitLevel>, StoreError> {
    let level: Option<String> =
        conn.prepare_cached("SELECT level FROM units WHERE id = ?1")?.query_row([unit.as_str()], |r| r.get(0)).optional()?;
    level
        .map(|l| {
            serde_json::from_value(serde_json::Value::String(l.clone()))
                .map_err(|_| StoreError::corrupt("units", format!("{unit}: level {l}")))
        })
        .transpose()
}

/// A page of the access log.
pub fn access_log(conn: &Connection, q: &AccessQuery) -> Result<AccessLog, StoreError> {
    let limit = q.limit.unwrap_or(MAX_ACCESS_PAGE).clamp(1, MAX_ACCESS_PAGE);
    let mut stmt = conn.prepare_cached(
        "SELECT id, at, username, what, device, by_user, detail FROM access_log
         WHERE id > ?1 AND (?2 IS NULL OR username = ?2) ORDER BY id LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![q.after.unwrap_or(0), q.username, limit + 1], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, Option<Vec<u8>>>(4)?,
            r.get::<_, Option<String>>(5)?,
            r.get::<_, String>(6)?,
        ))
    })?;
    let mut entries = Vec::new();
    for row in rows {
        let (id, at, username, what, device, by, detail) = row?;
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
