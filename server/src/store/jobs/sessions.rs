//! Sessions and refresh tokens in the store: start one at login, rotate its token on refresh
//! (revoking it when a spent token comes back), end it at logout; read on every request.

use sync_protocol::ids::{DeviceId, UserId};

use super::StoreError;
use super::WriteCtx;
use crate::args;
use crate::store::principal;
use crate::store::sessions::refresh::{RefreshDecision, RefreshToken, SessionId, SessionRow, TokenRow, decide};
use crate::store::sessions::{Issued, RefreshRefused, SessionEnd, SessionSettings};
use crate::store::sql::{Arg, Sql};

impl WriteCtx<'_> {
    /// Starts a session for `user` on `device` with its first refresh token.
    pub fn start_session(
        &mut self,
        user: &UserId,
        device: DeviceId,
        token: &RefreshToken,
        settings: &SessionSettings,
    ) -> Result<Issued, StoreError> {
        let session = SessionId::random();
        let expires = self.now_ms + settings.max_session_s * 1_000;
        self.conn.run(
            "INSERT INTO sessions (id, user_id, device_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            args![session.as_bytes(), user.as_str(), device.0.as_bytes(), self.now_ms, expires],
        )?;
        let refresh_expires_at = self.insert_token(session, 0, token, settings, expires)?;
        Ok(Issued { session, user: user.clone(), device, refresh_expires_at })
    }

    /// Spends `presented` and stores `next` as its successor, or says why not. A reused token
    /// revokes its session here, in the same transaction as the answer.
    pub fn refresh_session(
        &mut self,
        presented: &RefreshToken,
        next: &RefreshToken,
        settings: &SessionSettings,
    ) -> Result<Result<Issued, RefreshRefused>, StoreError> {
        let row = self
            .conn
            .optional(
                "SELECT t.session, t.generation, t.expires_at, t.used_at, t.superseded, s.user_id, s.device_id, s.expires_at,
                        s.revoked_at IS NOT NULL,
                        (SELECT max(generation) FROM refresh_tokens WHERE session = t.session AND used_at IS NOT NULL)
                 FROM refresh_tokens t JOIN sessions s ON s.id = t.session WHERE t.digest = ?1",
                args![presented.digest()],
            )?
            .map(|r| -> Result<_, StoreError> {
                Ok((
                    r.get::<[u8; 16]>(0)?,
                    TokenRow { generation: r.get(1)?, expires_at_ms: r.get(2)?, used_at_ms: r.get(3)?, superseded: r.get(4)? },
                    r.get::<String>(5)?,
                    r.get::<[u8; 16]>(6)?,
                    SessionRow { expires_at_ms: r.get(7)?, revoked: r.get(8)?, last_used_generation: r.get(9)? },
                ))
            })
            .transpose()?;
        let Some((session, token, user, device, session_row)) = row else { return Ok(Err(RefreshRefused::Unknown)) };
        let session = SessionId::from_bytes(session);
        let device = DeviceId(uuid::Uuid::from_bytes(device));
        let user = UserId::new(user).map_err(|e| StoreError::corrupt("sessions", e.to_string()))?;
        if let Some(why) = self.holder_barred(&user, device)? {
            self.end_session(session, why)?;
            return Ok(Err(RefreshRefused::Ended));
        }
        match decide(token, session_row, self.now_ms, settings.reuse_grace_s * 1_000) {
            RefreshDecision::Ended => Ok(Err(RefreshRefused::Ended)),
            RefreshDecision::Reuse => {
                tracing::warn!(%session, user = %user, "a spent refresh token came back: session revoked");
                self.end_session(session, SessionEnd::RefreshReused)?;
                Ok(Err(RefreshRefused::Reused))
            }
            decision => {
                if decision == RefreshDecision::RotateAgain {
                    self.conn.run(
                        "UPDATE refresh_tokens SET superseded = TRUE WHERE session = ?1 AND used_at IS NULL",
                        args![session.as_bytes()],
                    )?;
                } else {
                    self.conn.run("UPDATE refresh_tokens SET used_at = ?2 WHERE digest = ?1", args![presented.digest(), self.now_ms])?;
                }
                let generation: u32 = self
                    .conn
                    .one("SELECT max(generation) + 1 FROM refresh_tokens WHERE session = ?1", args![session.as_bytes()])?
                    .get(0)?;
                let refresh_expires_at = self.insert_token(session, generation, next, settings, session_row.expires_at_ms)?;
                Ok(Ok(Issued { session, user, device, refresh_expires_at }))
            }
        }
    }

    /// Ends `session` (idempotent): its refresh tokens and access tokens stop working.
    pub fn end_session(&mut self, session: SessionId, why: SessionEnd) -> Result<(), StoreError> {
        end_sessions(self.conn, Holder::Session(session), why, self.now_ms)
    }

    fn insert_token(
        &mut self,
        session: SessionId,
        generation: u32,
        token: &RefreshToken,
        settings: &SessionSettings,
        session_expires: i64,
    ) -> Result<i64, StoreError> {
        let expires = (self.now_ms + settings.refresh_ttl_s * 1_000).min(session_expires);
        self.conn.run(
            "INSERT INTO refresh_tokens (digest, session, generation, issued_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            args![token.digest(), session.as_bytes(), generation, self.now_ms, expires],
        )?;
        Ok(expires)
    }

    /// Why the user or device may no longer hold a session, if so.
    fn holder_barred(&self, user: &UserId, device: DeviceId) -> Result<Option<SessionEnd>, StoreError> {
        let disabled = principal::user(self.conn, user.as_str())?.is_none_or(|u| u.disabled);
        let revoked = principal::device(self.conn, device)?.is_none_or(|d| d.revoked || &d.user != user);
        Ok(if disabled {
            Some(SessionEnd::UserDisabled)
        } else if revoked {
            Some(SessionEnd::DeviceRevoked)
        } else {
            None
        })
    }
}

/// Whose sessions to end.
pub enum Holder<'a> {
    Session(SessionId),
    User(&'a str),
    Device(DeviceId),
}

/// Ends every live session of `holder` at `now_ms`, saying `why` (idempotent).
pub fn end_sessions(conn: &dyn Sql, holder: Holder<'_>, why: SessionEnd, now_ms: i64) -> Result<(), StoreError> {
    let (column, key): (&str, Arg<'_>) = match holder {
        Holder::Session(s) => ("id", s.as_bytes().to_vec().into()),
        Holder::User(u) => ("user_id", u.into()),
        Holder::Device(d) => ("device_id", d.0.as_bytes().to_vec().into()),
    };
    conn.run(
        &format!("UPDATE sessions SET revoked_at = ?2, revoked_why = ?3 WHERE {column} = ?1 AND revoked_at IS NULL"),
        &[key, now_ms.into(), why.as_str().into()],
    )?;
    Ok(())
}

/// Whether `session` is live for `user` on `device` at `now_ms` (read on every request).
pub fn session_live(conn: &dyn Sql, session: SessionId, user: &UserId, device: DeviceId, now_ms: i64) -> Result<bool, StoreError> {
    let live = conn
        .optional(
            "SELECT revoked_at IS NULL AND expires_at > ?4 FROM sessions WHERE id = ?1 AND user_id = ?2 AND device_id = ?3",
            args![session.as_bytes(), user.as_str(), device.0.as_bytes(), now_ms],
        )?
        .map(|r| r.get::<bool>(0))
        .transpose()?;
    Ok(live == Some(true))
}
