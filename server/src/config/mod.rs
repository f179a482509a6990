//! Server configuration: typed, filled from defaults, then an optional TOML file, then
//! `PATROLSYNC_`-prefixed environment variables (one per key, derived: [`env`]), then
//! command-line flags. docs/configuration.md lists every key; a test keeps it complete.

mod console;
mod counties;
pub mod env;
mod officials;
mod store;

pub use console::ConsoleSettings;
pub use counties::{CountyConfig, CountyEntry, SOLE_COUNTY, check_code};
pub use officials::{OfficialEntry, OfficialRole};
pub use store::{StoreKind, StoreSettings};

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use sync_protocol::checks::recheck::CheckConfig;
use sync_protocol::compliance::ComplianceRules;

use crate::service::reports::ReconciliationSettings;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port.
    pub bind: String,
    /// The central store's SQLite file (and the folder of the files kept beside the store).
    pub db: PathBuf,
    /// Which engine holds the central store (`[store]`).
    pub store: StoreSettings,
    /// Load the demo county into an empty store.
    pub demo: bool,
    /// How many fictional counties the demo loads (1 or 2; `serve --demo --counties 2`): the
    /// second, smaller one in its own store beside the first.
    pub demo_counties: u8,
    /// Lifetime of access tokens, seconds.
    pub token_ttl_s: i64,
    /// Largest request body, bytes, after decompression.
    pub max_body_bytes: usize,
    /// HTTP worker threads (0: one per core).
    pub workers: usize,
    /// Seconds a client has to send a request's head (request line and headers) before it is
    /// answered `408` and cut off: a slow client cannot hold a connection open for nothing.
    pub client_request_timeout_s: u64,
    /// Seconds a client has to send a JSON request body once the server starts reading it, or it
    /// is answered `408`: a large push holds one of few turns while its body arrives.
    pub client_body_timeout_s: u64,
    /// How many argon2 checks run at once.
    pub password_concurrency: usize,
    /// How often overdue cases are flagged, seconds (deadlines pass with the clock).
    pub overdue_check_s: u64,
    /// The checks made at ingest: geofence margin and flag threshold, quota rules (`[checks]`,
    /// `[checks.geofence]`, `[checks.rules]`; see docs/checks.md).
    pub checks: CheckConfig,
    /// Largest evidence blob accepted, bytes (at most the protocol's 25 MiB).
    pub max_blob_bytes: u64,
    /// Where blobs are stored (default: `blobs/` beside the database).
    pub blob_dir: Option<PathBuf>,
    /// The file that witnesses the tamper-evident log outside the database: the latest signed
    /// checkpoint, rewritten after each batch that grows the log; a store whose log is shorter
    /// than it, or does not extend it, is refused at start (default: `log-witness` beside the
    /// database).
    pub witness_file: Option<PathBuf>,
    /// The weekly quota and the reporting window (`[compliance]`; see docs/compliance.md).
    pub compliance: ComplianceRules,
    /// When a device counts as not synced (`[reconciliation]`; see docs/reports.md).
    pub reconciliation: ReconciliationSettings,
    /// Passwords, login throttling, sessions and the token key file (`[auth]`; see
    /// docs/security.md).
    pub auth: crate::service::auth::AuthSettings,
    /// HTTPS served by the server itself (`[tls]`: `cert_file` and `key_file`, PEM); without
    /// them it speaks plain HTTP, for loopback or behind a reverse proxy that terminates TLS.
    pub tls: crate::tls::TlsSettings,
    /// The server's logs (`[log]`).
    pub log: LogSettings,
    /// Who may read `GET /metrics` (`[metrics]`).
    pub metrics: MetricsSettings,
    /// The office console's optional base map (`[console]`; see docs/console.md).
    pub console: ConsoleSettings,
    /// The counties of the deployment (`[[counties]]`), each with its own store; none listed: one
    /// county on `db` (docs/configuration.md, "Counties").
    pub counties: Vec<CountyEntry>,
    /// City and province officials (`[[officials]]`), who read the roll-ups of their counties.
    pub officials: Vec<OfficialEntry>,
}

/// `[log]`: how the server logs.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct LogSettings {
    /// `text` (one line an event, for a terminal or journald) or `json` (one object a line, for
    /// a log collector).
    pub format: LogFormat,
    /// Log every request: method, route template, status, time taken, user and device.
    pub requests: bool,
}

impl Default for LogSettings {
    fn default() -> Self {
        LogSettings { format: LogFormat::Text, requests: true }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// `[metrics]`: who may read `GET /metrics`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsSettings {
    /// Answer a caller on the same host without a token (a Prometheus beside the server). Turn it
    /// off when a reverse proxy on the same host forwards `/metrics`: every caller would then look
    /// local. An admin's token is always accepted.
    pub loopback: bool,
}

impl Default for MetricsSettings {
    fn default() -> Self {
        MetricsSettings { loopback: true }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: "127.0.0.1:8080".into(),
            db: PathBuf::from("patrolsync-data/central.db"),
            store: StoreSettings::default(),
            demo: false,
            demo_counties: 1,
            token_ttl_s: 15 * 60,
            max_body_bytes: sync_protocol::wire::MAX_BODY_BYTES,
            workers: 0,
            client_request_timeout_s: 10,
            client_body_timeout_s: 300,
            password_concurrency: 2,
            checks: CheckConfig::default(),
            overdue_check_s: 300,
            max_blob_bytes: sync_protocol::body::MAX_ATTACHMENT_BYTES,
            blob_dir: None,
            compliance: ComplianceRules::default(),
            reconciliation: ReconciliationSettings::default(),
            auth: crate::service::auth::AuthSettings::default(),
            tls: crate::tls::TlsSettings::default(),
            witness_file: None,
            log: LogSettings::default(),
            metrics: MetricsSettings::default(),
            console: ConsoleSettings::default(),
            counties: Vec::new(),
            officials: Vec::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the config file {path} is not valid")]
    Parse {
        path: PathBuf,
        #[source]
        source: toml::de::Error,
    },
    #[error("environment variable {name} is not valid: {value:?}")]
    Env { name: String, value: String },
    #[error("the settings of the environment variables are not valid")]
    EnvValue {
        #[source]
        source: toml::de::Error,
    },
    #[error("setting {name} is out of range: {why}")]
    Range { name: &'static str, why: String },
}

impl Config {
    /// The blob folder: `blob_dir`, or `blobs/` beside the database file.
    pub fn blob_dir(&self) -> PathBuf {
        self.blob_dir.clone().unwrap_or_else(|| self.db.parent().unwrap_or(Path::new(".")).join("blobs"))
    }

    /// The token signing key file: `[auth] token_key_file`, or `token-keys.json` beside the
    /// database file.
    pub fn token_key_file(&self) -> PathBuf {
        self.auth.token_key_file.clone().unwrap_or_else(|| self.db.parent().unwrap_or(Path::new(".")).join("token-keys.json"))
    }

    /// The log's witness file: `witness_file`, or `log-witness` beside the database file.
    pub fn witness_file(&self) -> PathBuf {
        self.witness_file.clone().unwrap_or_else(|| self.db.parent().unwrap_or(Path::new(".")).join("log-witness"))
    }

    /// Refuses settings that would weaken the server: access tokens over 15 minutes, password
    /// hashing below OWASP's minimum cost.
    pub fn validate(self) -> Result<Config, ConfigError> {
        if !(1..=crate::service::auth::token::MAX_ACCESS_TTL_S).contains(&self.token_ttl_s) {
            let why = format!("{} s; access tokens live 1 to {} s", self.token_ttl_s, crate::service::auth::token::MAX_ACCESS_TTL_S);
            return Err(ConfigError::Range { name: "token_ttl_s", why });
        }
        self.auth.password.checked().map_err(|e| ConfigError::Range { name: "auth.password", why: e.to_string() })?;
        self.console.tile_origin()?;
        self.store.checked()?;
        self.check_counties()?;
        self.check_officials()?;
        self.tls.enabled().map_err(|e| ConfigError::Range { name: "tls", why: e.to_string() })?;
        let port = self.bind.rsplit_once(':').and_then(|(host, port)| (!host.is_empty()).then_some(port)?.parse::<u16>().ok());
        if port.is_none() {
            return Err(ConfigError::Range { name: "bind", why: format!("{:?} is not HOST:PORT", self.bind) });
        }
        Ok(self)
    }

    /// Defaults, then `file` if given, then the environment, checked.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        Config::load_with(file, |name| std::env::var(name).ok())
    }

    /// Defaults, then `file` if given, then the variables `get` finds ([`env`]), checked.
    pub fn load_with(file: Option<&Path>, get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let mut table = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.into(), source })?;
                toml::from_str(&text).map_err(|source| ConfigError::Parse { path: path.into(), source })?
            }
            None => toml::Table::new(),
        };
        let from_file: Config = toml::Value::Table(table.clone())
            .try_into()
            .map_err(|source| ConfigError::Parse { path: file.unwrap_or(Path::new("(defaults)")).into(), source })?;
        env::apply(&mut table, get)?;
        let config = if table == toml::Table::new() {
            from_file
        } else {
            toml::Value::Table(table).try_into().map_err(|source| ConfigError::EnvValue { source })?
        };
        config.validate()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_environment_override_the_defaults() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("server.toml");
        std::fs::write(&file, "bind = \"127.0.0.1:0\"\ntoken_ttl_s = 60\n").expect("write");
        let config = Config::load_with(Some(&file), |_| None).expect("load");
        assert_eq!(config.bind, "127.0.0.1:0");
        assert_eq!(config.token_ttl_s, 60);
        let config = Config::load_with(Some(&file), |name| (name == "PATROLSYNC_TOKEN_TTL_S").then(|| "120".to_string())).expect("env");
        assert_eq!(config.token_ttl_s, 120);
        assert!(Config::load_with(Some(&file), |name| (name == "PATROLSYNC_WORKERS").then(|| "many".to_string())).is_err());
        assert_eq!((config.client_request_timeout_s, config.client_body_timeout_s), (10, 300));
        let config = Config::load_with(None, |name| name.starts_with("PATROLSYNC_CLIENT_").then(|| "2".to_string())).expect("env");
        assert_eq!((config.client_request_timeout_s, config.client_body_timeout_s), (2, 2));
        assert!(toml::from_str::<Config>("unknown_key = 1").is_err());
    }

    #[test]
    fn the_checks_section_sets_the_thresholds_and_refuses_unknown_keys() {
        let config: Config =
            toml::from_str("[checks.geofence]\nmargin_m = 35.0\n[checks.rules]\nmin_minutes_inside = 45\n").expect("parse");
        assert_eq!(config.checks.geofence.margin_m, 35.0);
        assert_eq!(config.checks.geofence.flag_outside_share, 0.2, "unset keys keep their defaults");
        assert_eq!(config.checks.rules.min_minutes_inside, 45);
        assert_eq!(config.checks.rules.min_percent_inside, 80);
        assert!(toml::from_str::<Config>("[checks.rules]\nmin_minutes = 45\n").is_err());
    }

    #[test]
    fn the_settings_shown_in_docs_checks_md_are_the_defaults() {
        let doc = include_str!("../../../docs/checks.md");
        let toml_block = doc.split("```toml\n").nth(1).and_then(|b| b.split("```").next()).expect("a toml block");
        let config: Config = toml::from_str(toml_block).expect("the documented settings parse");
        assert_eq!(config.checks, sync_protocol::checks::recheck::CheckConfig::default());
    }

    #[test]
    fn evidence_limits_and_rules_are_configurable() {
        let config: Config = toml::from_str("max_blob_bytes = 1000\n[checks.evidence]\nmax_distance_m = 50.0\n").expect("parse");
        assert_eq!(config.max_blob_bytes, 1000);
        assert_eq!(config.checks.evidence.max_distance_m, 50.0);
        assert_eq!(config.checks.evidence.max_time_gap_s, 7_200, "unset keys keep their defaults");
        assert_eq!(config.blob_dir(), PathBuf::from("patrolsync-data/blobs"), "beside the database");
        let config = Config::load_with(None, |name| (name == "PATROLSYNC_BLOB_DIR").then(|| "/srv/evidence".to_string())).expect("env");
        assert_eq!(config.blob_dir(), PathBuf::from("/srv/evidence"));
    }

    #[test]
    fn the_report_sections_set_the_quota_and_the_sync_threshold() {
        let config: Config =
            toml::from_str("[compliance]\nweekly_quota = 3\n[reconciliation]\nstale_sync_after_days = 1.5\n").expect("parse");
        assert_eq!((config.compliance.weekly_quota, config.compliance.report_within_h), (3, 24));
        assert_eq!(config.reconciliation.stale_after_ms(), 36 * 3_600_000);
        let config = Config::load_with(None, |name| (name == "PATROLSYNC_COMPLIANCE_WEEKLY_QUOTA").then(|| "4".to_string())).expect("env");
        assert_eq!(config.compliance.weekly_quota, 4);
        assert!(toml::from_str::<Config>("[compliance]\nquota = 3\n").is_err());
    }

    #[test]
    fn every_toml_block_of_docs_operations_md_is_a_valid_configuration() {
        let doc = include_str!("../../../docs/operations.md");
        let blocks: Vec<&str> = doc.split("```toml\n").skip(1).filter_map(|b| b.split("```").next()).collect();
        assert!(!blocks.is_empty(), "the example configuration");
        for block in blocks {
            let config: Config = toml::from_str(block).unwrap_or_else(|e| panic!("{e}\n{block}"));
            config.validate().expect("valid");
        }
    }

    #[test]
    fn weakening_auth_settings_are_refused() {
        assert!(Config::default().validate().is_ok());
        assert!(Config { token_ttl_s: 3_600, ..Config::default() }.validate().is_err(), "an hour-long access token");
        assert!(Config { token_ttl_s: 0, ..Config::default() }.validate().is_err());
        let weak: Config = toml::from_str("[auth.password]\nmemory_kib = 4096\n").expect("parse");
        assert!(weak.validate().is_err(), "below OWASP's minimum");
        let raised: Config =
            toml::from_str("[auth.password]\nmemory_kib = 65536\n[auth.throttle]\nfailures_per_hour = 20\n").expect("parse");
        assert_eq!((raised.auth.password.iterations, raised.auth.throttle.failures_per_hour), (2, 20));
        assert_eq!(Config::default().token_key_file(), PathBuf::from("patrolsync-data/token-keys.json"));
    }
}
