//! What a test reads of a running server, in-process ([`crate::app::TestApp`]) or a child process
//! ([`crate::server::TestServer`]) alike: its address, its store's folder and file, its token key.

use anyhow::Result;
use std::path::PathBuf;

use crate::raw::RawDevice;

/// A server's loopback port and the temporary folder of its store (`central.db`, the blobs, the
/// token key file), removed when the test ends.
pub struct Site {
    pub port: u16,
    /// `http`, or `https` when the server serves TLS itself (`PATROLSYNC_TLS_*`).
    pub scheme: String,
    pub dir: tempfile::TempDir,
}

impl Site {
    /// A plain-HTTP server's site.
    pub fn new(port: u16, dir: tempfile::TempDir) -> Site {
        Site { port, scheme: "http".into(), dir }
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

    /// Opens the store read-only, for checks that look under the API.
    pub fn open_store(&self) -> Result<rusqlite::Connection> {
        Ok(rusqlite::Connection::open_with_flags(self.db(), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?)
    }

    /// The row count of every table of the store, by name: equal snapshots mean nothing was written.
    pub fn row_counts(&self) -> Result<Vec<(String, i64)>> {
        let conn = self.open_store()?;
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut counts = Vec::with_capacity(tables.len());
        for t in tables {
            let n = conn.query_row(&format!("SELECT count(*) FROM \"{t}\""), [], |r| r.get(0))?;
            counts.push((t, n));
        }
        Ok(counts)
    }
}
