//! `[[counties]]`: the counties of one deployment, each a tenant with a store of its own (on
//! SQLite one file each, in the deployment's data folder; on PostgreSQL one schema each in the one
//! database). None listed: one county, the store `db` (or the database's own `search_path`).

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

use super::{Config, ConfigError};

/// The code of the county of a deployment without `[[counties]]` (and of tokens issued before a
/// deployment had any): the store `db`.
pub const SOLE_COUNTY: &str = "county";

/// The longest county code.
const MAX_CODE: usize = 32;

/// The longest schema name (PostgreSQL's identifiers are at most 63 bytes).
const MAX_SCHEMA: usize = 63;

/// One `[[counties]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountyEntry {
    /// The county's stable code (1 to 32 of `a-z`, `0-9`, `-`): named in its tokens and at login.
    pub code: String,
    /// The county's name, for people (`云山县`).
    #[serde(default)]
    pub name: String,
    /// Its store's SQLite file (default: `counties/<code>/central.db` in the folder of `db`); on
    /// PostgreSQL, the folder of its evidence and log witness.
    #[serde(default)]
    pub db: Option<PathBuf>,
    /// On PostgreSQL, its store's schema in the database `[store] url` names (default: its code).
    #[serde(default)]
    pub schema: Option<String>,
}

/// A county of the deployment with the settings its store is opened with: the server's
/// configuration with `db` (and so its blob folder and log witness) and `store.schema` the
/// county's own.
#[derive(Debug, Clone)]
pub struct CountyConfig {
    pub code: String,
    pub name: String,
    pub config: Config,
}

/// Checks a county code's form.
pub fn check_code(code: &str) -> Result<(), ConfigError> {
    let good = !code.is_empty()
        && code.len() <= MAX_CODE
        && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !code.starts_with('-');
    if good {
        Ok(())
    } else {
        Err(ConfigError::Range { name: "counties.code", why: format!("{code:?}: 1 to {MAX_CODE} of a-z, 0-9 and -, not first") })
    }
}

/// Checks a county schema's name (always quoted in SQL): 1 to 63 of `a-z`, `0-9`, `_` and `-`,
/// none of PostgreSQL's own (`pg_…`, `information_schema`).
fn check_schema(schema: &str) -> Result<(), ConfigError> {
    let good = (1..=MAX_SCHEMA).contains(&schema.len())
        && schema.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        && !schema.starts_with("pg_")
        && schema != "information_schema";
    if good {
        Ok(())
    } else {
        let why = format!("{schema:?}: 1 to {MAX_SCHEMA} of a-z, 0-9, _ and -, not pg_… nor information_schema");
        Err(ConfigError::Range { name: "counties.schema", why })
    }
}

impl Config {
    /// The folder the deployment keeps its data in: that of `db`.
    pub fn data_dir(&self) -> PathBuf {
        self.db.parent().unwrap_or(Path::new(".")).to_path_buf()
    }

    /// The deployment's counties in order (the first answers refresh tokens that name none). With
    /// no `[[counties]]`, one county on `db` (on PostgreSQL in the database's own `search_path`); a
    /// demo of `demo_counties = N` adds the small demo county and N - 2 generated ones beside it
    /// (each in the schema of its code).
    pub fn counties(&self) -> Vec<CountyConfig> {
        let entries: Vec<CountyEntry> = if !self.counties.is_empty() {
            self.counties.clone()
        } else if self.demo && self.demo_counties > 1 {
            (0..usize::from(self.demo_counties))
                .map(|i| {
                    let (code, name) = crate::tools::demo::deployment_county_name(i);
                    CountyEntry { code, name, db: (i == 0).then(|| self.db.clone()), schema: None }
                })
                .collect()
        } else {
            vec![CountyEntry { code: SOLE_COUNTY.into(), name: String::new(), db: Some(self.db.clone()), schema: None }]
        };
        entries.into_iter().enumerate().map(|(i, entry)| self.county_config(i, entry)).collect()
    }

    /// The county `code` of this deployment (`None`: the only one, when there is one).
    pub fn county(&self, code: Option<&str>) -> Result<CountyConfig, ConfigError> {
        let mut counties = self.counties();
        let why = match code {
            Some(code) => match counties.iter().position(|c| c.code == code) {
                Some(at) => return Ok(counties.swap_remove(at)),
                None => format!("{code:?} is not a county of this deployment"),
            },
            None if counties.len() == 1 => return Ok(counties.swap_remove(0)),
            None => "this deployment holds several counties: name one (--county)".to_owned(),
        };
        Err(ConfigError::Range { name: "county", why })
    }

    /// The settings of the `i`th county of the deployment, `entry`. Its schema on PostgreSQL: the
    /// one `entry` names, else its code for a listed county or the demo's second; none (the
    /// database's own `search_path`, where a deployment of one county has its store) for the sole
    /// county and the demo's first, which keeps the one-county demo's store.
    fn county_config(&self, i: usize, entry: CountyEntry) -> CountyConfig {
        let mut config = self.clone();
        config.db = entry.db.unwrap_or_else(|| self.data_dir().join("counties").join(&entry.code).join("central.db"));
        let listed = !self.counties.is_empty();
        config.store.schema = entry.schema.or_else(|| (listed || i > 0).then(|| entry.code.clone()));
        if self.counties.len() > 1 || (self.demo && self.demo_counties > 1) {
            // Each county's evidence and witness beside its own store, never a shared folder.
            config.blob_dir = None;
            config.witness_file = None;
        }
        CountyConfig { code: entry.code, name: entry.name, config }
    }

    /// The `[[counties]]` entries checked: codes and schemas well formed, and no two counties with
    /// one code, one store file or one schema (the database's own `search_path` counted as
    /// `public`, where it usually is).
    pub(super) fn check_counties(&self) -> Result<(), ConfigError> {
        let counties = self.counties();
        let schema = |c: &CountyConfig| c.config.store.schema.clone().unwrap_or_else(|| "public".into());
        for (i, county) in counties.iter().enumerate() {
            check_code(&county.code)?;
            if let Some(name) = &county.config.store.schema {
                check_schema(name)?;
            }
            let shared = |c: &&CountyConfig| c.code == county.code || c.config.db == county.config.db || schema(c) == schema(county);
            if let Some(other) = counties[..i].iter().find(shared) {
                let why = format!("{} and {} share a code, a store file or a schema", other.code, county.code);
                return Err(ConfigError::Range { name: "counties", why });
            }
        }
        if !(1..=crate::tools::demo::MAX_DEMO_COUNTIES).contains(&usize::from(self.demo_counties)) {
            let why = format!("{}; the demo has 1 to {} counties", self.demo_counties, crate::tools::demo::MAX_DEMO_COUNTIES);
            return Err(ConfigError::Range { name: "demo_counties", why });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_counties_the_deployment_is_one_county_on_db() {
        let config = Config::default();
        let counties = config.counties();
        assert_eq!(counties.len(), 1);
        assert_eq!((counties[0].code.as_str(), &counties[0].config.db), (SOLE_COUNTY, &config.db));
        assert_eq!(counties[0].config.blob_dir(), config.blob_dir());
        assert_eq!(config.county(None).expect("the only one").code, SOLE_COUNTY);
    }

    #[test]
    fn each_listed_county_has_its_store_in_the_data_folder_unless_it_names_one() {
        let config: Config = toml::from_str(
            "db = \"data/central.db\"\n[[counties]]\ncode = \"yunshan\"\ndb = \"data/central.db\"\n[[counties]]\ncode = \"qingxi\"\nname = \"青溪县\"\n",
        )
        .expect("parse");
        let config = config.validate().expect("valid");
        let counties = config.counties();
        assert_eq!(counties[0].config.db, PathBuf::from("data/central.db"));
        assert_eq!(counties[1].config.db, PathBuf::from("data/counties/qingxi/central.db"));
        assert_eq!(counties[1].config.blob_dir(), PathBuf::from("data/counties/qingxi/blobs"));
        assert_eq!(config.county(Some("qingxi")).expect("listed").name, "青溪县");
        assert!(config.county(None).is_err(), "several counties: one must be named");
        assert!(config.county(Some("elsewhere")).is_err());
    }

    #[test]
    fn each_county_on_postgres_has_a_schema_of_its_own() {
        // The engine set in the settings rather than named in a text: only `store/` names a driver.
        let listed: Config =
            toml::from_str("[[counties]]\ncode = \"yunshan\"\nschema = \"public\"\n[[counties]]\ncode = \"qingxi\"\n").expect("parses");
        let store = crate::config::StoreSettings { kind: crate::config::StoreKind::Postgres, url: Some("dbname=x".into()), schema: None };
        let config = Config { store, ..listed };
        assert!(config.check_counties().is_ok());
        let schemas = |c: &Config| c.counties().into_iter().map(|c| c.config.store.schema).collect::<Vec<_>>();
        assert_eq!(schemas(&config), [Some("public".to_owned()), Some("qingxi".to_owned())]);
        // The sole county and the demo's first keep the database's own search_path.
        assert_eq!(schemas(&Config { counties: Vec::new(), ..config.clone() }), [None]);
        let demo = Config { counties: Vec::new(), demo: true, demo_counties: 2, ..config.clone() };
        assert!(demo.check_counties().is_ok());
        assert_eq!(schemas(&demo), [None, Some("baiyun".to_owned())]);
        let three = Config { demo_counties: 3, ..demo.clone() };
        assert!(three.check_counties().is_ok());
        assert_eq!(schemas(&three), [None, Some("baiyun".to_owned()), Some("county-03".to_owned())]);
        assert_eq!(three.counties()[2].config.db, config.data_dir().join("counties/county-03/central.db"));
        assert!(Config { demo_counties: 100, ..demo.clone() }.check_counties().is_err(), "the demo has 99 counties at most");
        // No two counties in one schema, nor in PostgreSQL's own or a name that is no schema.
        let mut same = config.clone();
        same.counties[1].schema = Some("public".into());
        assert!(same.check_counties().is_err());
        for bad in ["pg_catalog", "information_schema", "Yunshan", "", "a\"b", &"x".repeat(64)] {
            let mut named = config.clone();
            named.counties[1].schema = Some(bad.into());
            assert!(named.check_counties().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn codes_are_checked_and_distinct() {
        for bad in ["", "Yunshan", "-a", "a b", "a.b", &"x".repeat(33)] {
            assert!(check_code(bad).is_err(), "{bad:?}");
        }
        let twice: Config = toml::from_str("[[counties]]\ncode = \"a\"\n[[counties]]\ncode = \"a\"\n").expect("parse");
        assert!(twice.validate().is_err());
        let same_file: Config =
            toml::from_str("[[counties]]\ncode = \"a\"\ndb = \"x.db\"\n[[counties]]\ncode = \"b\"\ndb = \"x.db\"\n").expect("parse");
        assert!(same_file.validate().is_err());
    }
}
