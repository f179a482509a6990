//! What a test reads of a running server, in-process ([`crate::app::TestApp`]) or a child process
//! ([`crate::server::TestServer`]) alike: its address, its store's folder and file, its token key.

use anyhow::Result;
use patrolsync_server::store::offline::OfflineStore;
use std::path::PathBuf;

use crate::raw::RawDevice;
use crate::store_sql::StoreSql;

/// A server's loopback port and the temporary folder of its store (`central.db`, the blobs, the
/// token key file), removed when the test ends.
pub struct Site {
    pub port: u16,
    /// `http`, or `https` when the server serves TLS itself (`PATROLSYNC_TLS_*`).
    pub scheme: String,
    pub dir: tempfile::TempDir,
    /// The PostgreSQL database the server stores into (its connection string), when it does not
    /// store into the SQLite file [`Site::db`].
    pub store_url: Option<String>,
}

impl Site {
    /// A plain-HTTP server's site.
    pub fn new(port: u16, dir: tempfile::TempDir) -> Site {
        Site { port, scheme: "http".into(), dir, store_url: None }
    }

    pub fn url(&self) -> String {
        format!("{}://127.0.0.1:{}", self.scheme, self.port)
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("central.db")
    }

    /// The store file of the county `code` in a deployment of several (the first's is [`Site::db`]).
    pub fn county_db(&self, code: &str) -> PathBuf {
        self.dir.path().join("counties").join(code).join("central.db")
    }

    /// A new raw device of `user` of the county `code`, logged in naming it.
    pub async fn device_in(&self, code: &str, user: &str) -> Result<RawDevice> {
        let mut device = RawDevice::new(&self.url(), user)?;
        device.county = Some(code.to_owned());
        device.login(crate::DEMO_PASSWORD).await?;
        Ok(device)
    }

    /// A new raw device of `user` (a demo user), logged in with the demo password.
    pub async fn device(&self, user: &str) -> Result<RawDevice> {
        let mut device = RawDevice::new(&self.url(), user)?;
        device.login(crate::DEMO_PASSWORD).await?;
        Ok(device)
    }

    /// The key that signs access tokens now: its `kid` and secret, read from the server's key
    /// file, for tests that forge tokens as someone holding the key would.
    pub fn token_key(&self) -> Result<(String, Vec<u8>)> {
        use base64::Engine;
        let file: serde_json::Value = serde_json::from_slice(&std::fs::read(self.dir.path().join("token-keys.json"))?)?;
        let current = file["current"].as_str().ok_or_else(|| anyhow::anyhow!("no current key"))?;
        let keys = file["keys"].as_array().ok_or_else(|| anyhow::anyhow!("no keys"))?;
        let key = keys.iter().find(|k| k["kid"] == current).ok_or_else(|| anyhow::anyhow!("current key missing"))?;
        let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(key["secret"].as_str().unwrap_or_default())?;
        Ok((current.to_string(), secret))
    }

    /// Signs `claims` as an access token with the server's current key (header `typ` at+jwt).
    pub fn forge_token(&self, claims: &serde_json::Value) -> Result<String> {
        let (kid, secret) = self.token_key()?;
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
        header.typ = Some("at+jwt".into());
        header.kid = Some(kid);
        Ok(jsonwebtoken::encode(&header, claims, &jsonwebtoken::EncodingKey::from_secret(&secret))?)
    }

    /// Opens the SQLite store file read-only, for the checks that only SQLite has (a pragma, the
    /// file itself). A check that reads rows uses [`Site::sql`], which serves both engines.
    pub fn open_store(&self) -> Result<rusqlite::Connection> {
        anyhow::ensure!(self.store_url.is_none(), "this server stores into PostgreSQL, not a SQLite file");
        Ok(rusqlite::Connection::open_with_flags(self.db(), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?)
    }

    /// A connection of the test's own to the store, on either engine, for checks that look under
    /// the API (and the rare test that changes what it must find out).
    pub fn sql(&self) -> Result<StoreSql> {
        StoreSql::open(&self.db(), self.store_url.as_deref())
    }

    /// A connection of the test's own to the store of the county `code` in a deployment of several
    /// whose first county's store is [`Site::sql`]: its file ([`Site::county_db`]), or on
    /// PostgreSQL its schema (named by its code) in the one database.
    pub fn county_sql(&self, code: &str) -> Result<StoreSql> {
        let url = self.store_url.as_deref().map(|url| format!("{url} options='-c search_path={code}'"));
        StoreSql::open(&self.county_db(code), url.as_deref())
    }

    /// The store as the offline tools open it (`audit …`, the read model's rebuild), on either
    /// engine.
    pub fn offline_store(&self) -> OfflineStore {
        match &self.store_url {
            Some(url) => OfflineStore::Postgres { url: url.clone(), schema: None },
            None => OfflineStore::File(self.db()),
        }
    }

    /// The row count of every table of the store, by name: equal snapshots mean nothing was written.
    pub fn row_counts(&self) -> Result<Vec<(String, i64)>> {
        let sql = self.sql()?;
        let mut counts = Vec::new();
        for t in crate::store_sql::tables(&sql)? {
            let n = sql.count(&format!("SELECT count(*) FROM \"{t}\""), &[])?;
            counts.push((t, n));
        }
        Ok(counts)
    }
}
