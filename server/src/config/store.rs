//! `[store]`: which engine holds the central store. SQLite (the file `db`) is the default;
//! PostgreSQL (the database `url` names, each county of several in a schema of its own) can be
//! named (docs/architecture.md, "PostgreSQL engine").

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// The `[store]` settings.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreSettings {
    /// `sqlite`: the file `db`; `postgres`: the database `url` names.
    pub kind: StoreKind,
    /// The PostgreSQL connection string (`host=/run/postgresql dbname=patrolsync user=patrolsync`,
    /// or a `postgresql://` URL), for `kind = "postgres"` only. It may hold a password, so it is
    /// never printed (`Debug` hides it).
    pub url: Option<String>,
    /// The county's schema in that database, set per county from `[[counties]]` (never read from
    /// the file): `None` for the connection's own `search_path` (a deployment of one county).
    #[serde(skip)]
    pub schema: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreKind {
    #[default]
    Sqlite,
    Postgres,
}

impl std::fmt::Debug for StoreSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreSettings")
            .field("kind", &self.kind)
            .field("url", &self.url.as_ref().map(|_| "(hidden)"))
            .field("schema", &self.schema)
            .finish()
    }
}

impl StoreSettings {
    /// A PostgreSQL store needs its `url`; a SQLite store takes none (its file is `db`).
    pub fn checked(&self) -> Result<(), ConfigError> {
        let url = self.url.as_deref().filter(|u| !u.trim().is_empty());
        match (self.kind, url) {
            (StoreKind::Postgres, None) => {
                Err(ConfigError::Range { name: "store.url", why: "a PostgreSQL store needs its database's connection string".into() })
            }
            (StoreKind::Sqlite, Some(_)) => Err(ConfigError::Range {
                name: "store.url",
                why: "a SQLite store is the file `db`; `url` is for a PostgreSQL store".into(),
            }),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postgres_store_needs_its_url_and_a_sqlite_store_takes_none() {
        let pg = |url: Option<&str>| StoreSettings { kind: StoreKind::Postgres, url: url.map(String::from), schema: None };
        assert!(pg(None).checked().is_err());
        assert!(pg(Some(" ")).checked().is_err());
        assert!(pg(Some("host=/run/postgresql dbname=patrolsync")).checked().is_ok());
        assert!(StoreSettings::default().checked().is_ok());
        let sqlite_with_url = StoreSettings { kind: StoreKind::Sqlite, url: Some("dbname=x".into()), schema: None };
        assert!(sqlite_with_url.checked().is_err());
        let secret = pg(Some("postgresql://u:secret@db/patrolsync"));
        assert!(!format!("{secret:?}").contains("secret"), "the URL is never printed");
    }
}
