//! City and province officials: principals of the deployment, not of a county. They log in to the
//! deployment (a token that names no county, so no county's routes serve it) and read the roll-ups
//! of their counties ([`super::rollups`]); nothing of a county's own data.

use std::sync::Arc;
use sync_protocol::ids::{DeviceId, UserId};

use super::auth::Auth;
use super::auth::password::Verdict;
use super::auth::throttle::ThrottleKey;
use super::auth::token::{TokenError, TokenSubject};
use super::counties::Counties;
use crate::clock::SharedClock;
use crate::config::{OfficialEntry, OfficialRole};
use crate::store::sessions::SessionId;

/// The `cty` claim of an official's token: no county's code (codes are `a-z`, `0-9`, `-`).
pub const DEPLOYMENT: &str = "*";

/// An authenticated official and the counties they read, in the deployment's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Official {
    pub user: UserId,
    pub display_name: String,
    pub role: OfficialRole,
    pub counties: Vec<String>,
}

/// The deployment's officials (`[[officials]]`, and the demo's).
#[derive(Clone, Default)]
pub struct Officials {
    entries: Arc<Vec<OfficialEntry>>,
}

/// Why an official has no token, or a request no official.
#[derive(Debug, thiserror::Error)]
pub enum OfficialError {
    #[error("wrong username or password")]
    InvalidCredentials,
    #[error("too many attempts")]
    Throttled(std::time::Duration),
    #[error("missing bearer token")]
    MissingToken,
    #[error(transparent)]
    Token(#[from] TokenError),
    /// A county user's token, or an official no longer listed.
    #[error("the roll-ups across counties are for city and province officials")]
    NotAnOfficial,
}

/// A login's answer: the token and who it is.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OfficialLogin {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_at: i64,
    pub user: UserId,
    pub role: OfficialRole,
    pub counties: Vec<String>,
}

/// What the officials' use cases reach: the deployment's shared parts.
pub struct Deployment<'a> {
    pub counties: &'a Counties,
    pub officials: &'a Officials,
    pub auth: &'a Auth,
    pub clock: &'a SharedClock,
}

impl Officials {
    pub fn new(entries: Vec<OfficialEntry>) -> Officials {
        Officials { entries: Arc::new(entries) }
    }

    fn find(&self, user: &str) -> Option<&OfficialEntry> {
        self.entries.iter().find(|o| o.user == user)
    }
}

impl Deployment<'_> {
    /// The official `entry` with their counties spelled out (a province with none: all).
    fn official(&self, entry: &OfficialEntry) -> Option<Official> {
        let all = self.counties.iter().map(|c| c.county.code.clone());
        let counties = if entry.counties.is_empty() { all.collect() } else { all.filter(|c| entry.counties.contains(c)).collect() };
        let user = UserId::new(entry.user.clone()).ok()?;
        Some(Official { user, display_name: entry.display_name.clone(), role: entry.role, counties })
    }

    /// Checks an official's password (throttled, argon2 off the async workers, one run whether or
    /// not the name exists) and issues a deployment token.
    pub async fn login(&self, username: &str, password: String) -> Result<OfficialLogin, OfficialError> {
        let key = ThrottleKey::new(&format!("{DEPLOYMENT}/{username}"), None);
        let admitted = self.auth.throttle.admit(&key, self.clock.now_ms()).map_err(|retry| OfficialError::Throttled(retry.0))?;
        tokio::time::sleep(admitted.delay).await;
        let entry = self.officials.find(username);
        let verdict = self.auth.passwords.check(password, entry.map(|e| e.password_hash.clone())).await;
        let right = matches!(verdict, Verdict::Right { .. });
        self.auth.throttle.finish(&key, right, self.clock.now_ms());
        let official = entry.filter(|_| right).and_then(|e| self.official(e)).ok_or(OfficialError::InvalidCredentials)?;
        let subject = TokenSubject {
            user: official.user.clone(),
            device: DeviceId(uuid::Uuid::nil()),
            session: SessionId::from_bytes([0; 16]),
            county: DEPLOYMENT.into(),
        };
        let (access_token, exp) = self.auth.tokens.issue(&subject, self.clock.now_s())?;
        Ok(OfficialLogin {
            access_token,
            token_type: "Bearer",
            expires_at: exp * 1000,
            user: official.user,
            role: official.role,
            counties: official.counties,
        })
    }

    /// The official of a request whose `Authorization` header is `header`, read from the
    /// configuration on every request; a county user's token is refused.
    pub fn authenticate(&self, header: Option<&str>) -> Result<Official, OfficialError> {
        let token = header.and_then(|h| h.strip_prefix("Bearer ")).ok_or(OfficialError::MissingToken)?;
        let subject = self.auth.tokens.check(token.trim(), self.clock.now_s())?;
        if subject.county != DEPLOYMENT {
            return Err(OfficialError::NotAnOfficial);
        }
        self.officials.find(subject.user.as_str()).and_then(|e| self.official(e)).ok_or(OfficialError::NotAnOfficial)
    }
}
