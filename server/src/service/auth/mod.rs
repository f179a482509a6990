//! Authentication's parts: argon2id passwords, login throttling per account and per address, and
//! pinned-algorithm JWT access tokens signed by a key ring. Sessions and their rotating refresh
//! tokens are kept by the store (`store::sessions`); docs/security.md gives the decisions.

pub mod ip_limit;
pub mod keys;
pub mod password;
pub mod throttle;
pub mod token;

use std::path::PathBuf;

use crate::store::sessions::SessionSettings;
use ip_limit::{IpLimit, IpLimitSettings};
use password::{PasswordChecker, PasswordCost};
use throttle::{LoginThrottle, ThrottleSettings};
use token::Tokens;

/// The `[auth]` settings.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthSettings {
    /// The argon2id cost of new hashes; raising it rehashes each user's at their next login.
    pub password: PasswordCost,
    /// Failed logins per account.
    pub throttle: ThrottleSettings,
    /// Requests per client address to the auth routes.
    pub per_ip: IpLimitSettings,
    /// Refresh-token and session lifetimes.
    pub sessions: SessionSettings,
    /// The token signing key file (default: `token-keys.json` beside the database). Made on first
    /// start with mode 0600; a file others may read is refused.
    pub token_key_file: Option<PathBuf>,
    /// How often the key file is re-read, seconds, so a rotated key signs without a restart.
    pub key_reload_s: u64,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            password: PasswordCost::default(),
            throttle: ThrottleSettings::default(),
            per_ip: IpLimitSettings::default(),
            sessions: SessionSettings::default(),
            token_key_file: None,
            key_reload_s: 30,
        }
    }
}

/// Everything the auth routes and the extractor share.
pub struct Auth {
    pub tokens: Tokens,
    pub passwords: PasswordChecker,
    pub throttle: LoginThrottle,
    pub per_ip: IpLimit,
    pub sessions: SessionSettings,
}

impl Auth {
    /// `now_s`: when a key file made now is made (Unix seconds).
    pub fn new(
        settings: &AuthSettings,
        key_file: PathBuf,
        access_ttl_s: i64,
        concurrency: usize,
        now_s: i64,
    ) -> Result<Auth, AuthSetupError> {
        Ok(Auth {
            tokens: Tokens::from_file(key_file, access_ttl_s, now_s)?,
            passwords: PasswordChecker::new(concurrency, settings.password.checked()?)?,
            throttle: LoginThrottle::new(settings.throttle),
            per_ip: IpLimit::new(settings.per_ip),
            sessions: settings.sessions,
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuthSetupError {
    #[error(transparent)]
    Keys(#[from] keys::KeyError),
    #[error(transparent)]
    Password(#[from] password::PasswordError),
}
