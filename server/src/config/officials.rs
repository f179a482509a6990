//! `[[officials]]`: the city and province officials of a deployment, principals above its counties
//! who read the roll-ups of theirs (docs/configuration.md, "Counties").

use serde::{Deserialize, Serialize};

use super::{Config, ConfigError};

/// One `[[officials]]` entry.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficialEntry {
    /// The login name (a slug, like every user id).
    pub user: String,
    #[serde(default)]
    pub display_name: String,
    pub role: OfficialRole,
    /// The codes of the counties the official reads; a province official with none reads all.
    #[serde(default)]
    pub counties: Vec<String>,
    /// The password's argon2id hash in PHC form (`patrolsync-server hash-password` prints one).
    pub password_hash: String,
}

impl std::fmt::Debug for OfficialEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OfficialEntry").field("user", &self.user).field("role", &self.role).field("counties", &self.counties).finish()
    }
}

/// A deployment-level role (the wire's: the roll-ups' reply names it).
pub use sync_protocol::wire::rollups::OfficialRole;

impl Config {
    /// The officials checked: known counties, a city official with at least one, distinct names.
    pub(super) fn check_officials(&self) -> Result<(), ConfigError> {
        let codes: Vec<String> = self.counties().into_iter().map(|c| c.code).collect();
        for (i, official) in self.officials.iter().enumerate() {
            let bad = |why: String| Err(ConfigError::Range { name: "officials", why });
            if sync_protocol::ids::UserId::new(official.user.clone()).is_err() {
                return bad(format!("{:?} is not a valid user name", official.user));
            }
            if self.officials[..i].iter().any(|o| o.user == official.user) {
                return bad(format!("{} is listed twice", official.user));
            }
            if let Some(unknown) = official.counties.iter().find(|c| !codes.contains(c)) {
                return bad(format!("{}: {unknown:?} is not a county of this deployment", official.user));
            }
            if official.role == OfficialRole::City && official.counties.is_empty() {
                return bad(format!("{}: a city official names its counties", official.user));
            }
            if argon2::PasswordHash::new(&official.password_hash).is_err() {
                return bad(format!("{}: password_hash is not a PHC string", official.user));
            }
        }
        Ok(())
    }
}
