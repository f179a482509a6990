//! A raw protocol device: seals events and calls the HTTP API by hand, following docs/protocol.md.
//! Tests use it to send exactly the bytes they mean (resends, gaps, forgeries); the load bench
//! uses it to drive the server without a replica's SQLite work in the way.

use anyhow::{Context, Result, bail};
use rand::RngCore;
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::BTreeMap;
use sync_protocol::body::Body;
use sync_protocol::crypto::{DeviceKey, Hash};
use sync_protocol::event::{Event, EventDraft};
use sync_protocol::hlc::Hlc;
use sync_protocol::ids::{DeviceId, EventId, UserId};
use sync_protocol::scope::Bucket;
use sync_protocol::wire::session::LoginProof;
use sync_protocol::wire::{DeviceEnrolment, LoginRequest, LoginResponse, SyncResponse};

pub struct RawDevice {
    pub http: reqwest::Client,
    pub url: String,
    pub user: UserId,
    pub device: DeviceId,
    pub key: DeviceKey,
    pub token: Option<String>,
    /// The session's refresh token from the last login.
    pub refresh: Option<String>,
    pub next_seq: u64,
    pub head: Hash,
    pub hlc: Hlc,
    pub cursors: BTreeMap<Bucket, u64>,
    /// Compress request bodies with zstd, as the device replica does.
    pub compress: bool,
    /// The protocol version named in each request's header (none: a build from before versions
    /// were named).
    pub protocol: Option<u32>,
    /// How far this phone's clock is ahead of the real one (negative: behind), for its HLC.
    pub clock_offset_ms: i64,
    /// The county named at login (a deployment of several counties).
    pub county: Option<String>,
    /// The county named in every request's `X-Patrolsync-County` header (none: no header).
    pub county_header: Option<String>,
}

pub fn now_ms() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(0)
}

impl RawDevice {
    /// A new device identity for `user`, with a random id and key.
    pub fn new(url: &str, user: &str) -> Result<RawDevice> {
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        Ok(RawDevice {
            http: reqwest::Client::builder().pool_max_idle_per_host(4).build()?,
            url: url.to_string(),
            user: UserId::new(user)?,
            device: DeviceId(uuid::Uuid::now_v7()),
            key: DeviceKey::from_secret(secret),
            token: None,
            refresh: None,
            next_seq: 1,
            head: Hash::ZERO,
            hlc: Hlc::ZERO,
            cursors: BTreeMap::new(),
            compress: true,
            protocol: Some(sync_protocol::wire::version::CURRENT),
            clock_offset_ms: 0,
            county: None,
            county_header: None,
        })
    }

    /// This phone's wall clock: the real one moved by [`RawDevice::clock_offset_ms`].
    pub fn now(&self) -> u64 {
        now_ms().saturating_add_signed(self.clock_offset_ms)
    }

    /// Points the device at `url` with fresh connections (after a server restart).
    pub fn reconnect(&mut self, url: &str) -> Result<()> {
        self.url = url.to_string();
        self.http = reqwest::Client::builder().pool_max_idle_per_host(4).build()?;
        Ok(())
    }

    pub async fn login(&mut self, password: &str) -> Result<LoginResponse> {
        let request = LoginRequest {
            username: self.user.to_string(),
            password: password.to_string(),
            device: DeviceEnrolment {
                device_id: self.device,
                public_key: self.key.public(),
                label: "raw test device".into(),
                proof: Some(LoginProof::sign(&self.key, self.user.as_str(), self.device, chrono::Utc::now().timestamp_millis())),
            },
            new_password: None,
            county: self.county.clone(),
        };
        let response = self.http.post(format!("{}/v1/auth/login", self.url)).json(&request).send().await?;
        let status = response.status();
        if status != StatusCode::OK {
            bail!("login as {} answered {status}: {}", self.user, response.text().await?);
        }
        let login: LoginResponse = response.json().await?;
        self.token = Some(login.access_token.clone());
        self.refresh = Some(login.refresh_token.clone());
        self.hlc = self.hlc.merge(login.hlc, self.now());
        Ok(login)
    }

    /// The claims of this device's access token (not checked: the server checks them).
    pub fn token_claims(&self) -> Result<Value> {
        use base64::Engine;
        let token = self.token.as_deref().ok_or_else(|| anyhow::anyhow!("not logged in"))?;
        let payload = token.split('.').nth(1).ok_or_else(|| anyhow::anyhow!("not a JWT"))?;
        Ok(serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload)?)?)
    }

    /// Seals the next event of this device's chain (advancing seq, prev and the clock).
    pub fn seal(&mut self, body: &Body) -> Event {
        self.seal_value(body.kind(), body.to_value())
    }

    /// Seals the next event of this device's chain as the event `id`, named before it was sealed
    /// (as a phone names a patrol still being walked, to report findings on it).
    pub fn seal_as(&mut self, id: EventId, body: &Body) -> Event {
        self.seal_with_id(id, body.kind(), body.to_value())
    }

    /// Seals any kind and body, valid or not: for tests of what the server refuses.
    pub fn seal_value(&mut self, kind: &str, body: Value) -> Event {
        self.seal_with_id(EventId(uuid::Uuid::now_v7()), kind, body)
    }

    fn seal_with_id(&mut self, id: EventId, kind: &str, body: Value) -> Event {
        self.hlc = self.hlc.tick(self.now());
        let draft = EventDraft {
            id,
            device_id: self.device,
            seq: self.next_seq,
            hlc: self.hlc,
            author: self.user.clone(),
            kind: kind.to_string(),
            body,
            prev: self.head,
        };
        let event = draft.seal(&self.key).unwrap_or_else(|e| panic!("test bodies are canonical: {e}"));
        self.next_seq += 1;
        self.head = event.hash;
        event
    }

    /// One sync round trip: pushes `events`, pulls after the cursors, keeps the new cursors.
    pub async fn sync(&mut self, events: &[Event]) -> Result<SyncResponse<Event>> {
        let raw: Vec<Value> = events.iter().map(serde_json::to_value).collect::<Result<_, _>>()?;
        self.sync_values(raw).await
    }

    /// Like [`RawDevice::sync`] with events given as JSON values (which may be forged).
    pub async fn sync_values(&mut self, events: Vec<Value>) -> Result<SyncResponse<Event>> {
        let request = serde_json::json!({ "events": events, "cursors": self.cursors, "hlc": self.hlc });
        let (status, body) = self.post("/v1/sync", &serde_json::to_vec(&request)?).await?;
        if status != StatusCode::OK {
            bail!("sync answered {status}: {}", String::from_utf8_lossy(&body));
        }
        let response: SyncResponse<Event> = serde_json::from_slice(&body).context("sync reply")?;
        for page in &response.pages {
            self.cursors.insert(page.bucket.clone(), page.cursor);
        }
        for bucket in &response.purge {
            self.cursors.remove(bucket);
        }
        self.hlc = self.hlc.merge(response.hlc, self.now());
        Ok(response)
    }

    /// Pulls until no bucket has more; returns every event pulled.
    pub async fn pull_all(&mut self) -> Result<Vec<Event>> {
        let mut all = Vec::new();
        loop {
            let response = self.sync(&[]).await?;
            let more = response.more();
            all.extend(response.pages.into_iter().flat_map(|p| p.events));
            if !more {
                return Ok(all);
            }
        }
    }

    /// POSTs `body` (zstd-compressed when `compress`) with this device's token; returns the status
    /// and the reply's bytes.
    pub async fn post(&self, path: &str, body: &[u8]) -> Result<(StatusCode, Vec<u8>)> {
        let mut request = self.http.post(format!("{}{path}", self.url)).header("content-type", "application/json");
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(version) = self.protocol {
            request = request.header(sync_protocol::wire::version::HEADER, version.to_string());
        }
        if let Some(county) = &self.county_header {
            request = request.header("x-patrolsync-county", county);
        }
        request = if self.compress {
            request.header("content-encoding", "zstd").body(zstd::encode_all(body, 3)?)
        } else {
            request.body(body.to_vec())
        };
        let response = request.send().await?;
        Ok((response.status(), response.bytes().await?.to_vec()))
    }

    /// GETs `path` with this device's token and parses the JSON reply (`Null` when not JSON).
    pub async fn get_json(&self, path: &str) -> Result<(StatusCode, Value)> {
        crate::api::json(self.request(reqwest::Method::GET, path).send().await?).await
    }

    /// A GET with the device's token; the reply's status and body as text.
    pub async fn get_text(&self, path: &str) -> Result<(StatusCode, String)> {
        let response = self.request(reqwest::Method::GET, path).send().await?;
        Ok((response.status(), response.text().await?))
    }
}
