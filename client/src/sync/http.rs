//! The server's HTTP API as plain async calls: login, sync, flags, typed reads and health. Request bodies of a sync
//! are zstd-compressed; replies may come back gzip- or zstd-compressed (reqwest undoes that).

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE, HeaderMap, HeaderValue};
use serde::de::DeserializeOwned;
use sync_protocol::wire::flags::{FlagList, FlagQuery};
use sync_protocol::wire::session::{RefreshRequest, RefreshResponse};
use sync_protocol::wire::{LoginRequest, LoginResponse, MAX_PULL_LIMIT, SyncRequest, SyncResponse};

use serde_json::value::RawValue;

use super::check::{Aside, Received, readable};
use super::error::{SyncError, from_status};
use crate::replica::{Identity, Transport};

/// zstd level for request bodies: fast on a phone, and tracks shrink to about a fifth.
const ZSTD_LEVEL: i32 = 3;

/// A client of one server.
#[derive(Debug, Clone)]
pub struct Api {
    base: String,
    http: reqwest::Client,
    /// How the server is reached (its CA, plain HTTP allowed or not).
    transport: Transport,
    /// Events a page when pages are pulled one after another (see `prefetch.rs`).
    pull_page: u32,
}

/// The protocol version this build speaks, named on every request (sync, reports, cases), so
/// that the server answers each in the shape this build reads.
fn protocol_named() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(sync_protocol::wire::version::HEADER, HeaderValue::from(sync_protocol::wire::version::CURRENT));
    headers
}

impl Api {
    /// A client of the server at `base_url` (e.g. `https://patrol.county.cn`) reached through
    /// `transport` (its CA; plain HTTP only to loopback unless allowed).
    pub fn new(base_url: &str, transport: &Transport) -> Result<Api, SyncError> {
        let base = base_url.trim_end_matches('/').to_owned();
        super::tls::check_url(&base, transport)?;
        let builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(15))
            .timeout(Duration::from_secs(120))
            .user_agent(concat!("patrol-device/", env!("CARGO_PKG_VERSION")))
            .default_headers(protocol_named());
        let http = super::tls::client(builder, transport)?.build().map_err(|source| SyncError::Network { url: base.clone(), source })?;
        Ok(Api { base, http, transport: transport.clone(), pull_page: MAX_PULL_LIMIT })
    }

    /// A new client of the same server, reached the same way and pulling the same pages: its own
    /// connections, for another runtime (a connection belongs to the runtime that opened it).
    pub fn again(&self) -> Result<Api, SyncError> {
        Ok(Api::new(&self.base, &self.transport)?.with_pull_page(self.pull_page))
    }

    /// The same server, pulling runs of pages `events` at a time (1 to `MAX_PULL_LIMIT`, the
    /// default): smaller pages for a slow link, where a lost reply costs less to fetch again.
    pub fn with_pull_page(mut self, events: u32) -> Api {
        self.pull_page = events.clamp(1, MAX_PULL_LIMIT);
        self
    }

    /// Events a page in a run of pulls.
    pub fn pull_page(&self) -> u32 {
        self.pull_page
    }

    /// A client of `me`'s server, the way `me` logged in to it.
    pub fn of(me: &Identity) -> Result<Api, SyncError> {
        Api::new(&me.server_url, &me.transport)
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// `POST /v1/auth/login`.
    pub async fn login(&self, request: &LoginRequest) -> Result<LoginResponse, SyncError> {
        let builder = self.http.post(self.url("/v1/auth/login")).json(request);
        self.send(builder, &request.username).await
    }

    /// `POST /v1/auth/refresh`: spends a refresh token for the next access and refresh tokens.
    pub async fn refresh(&self, request: &RefreshRequest, username: &str) -> Result<RefreshResponse, SyncError> {
        let builder = self.http.post(self.url("/v1/auth/refresh")).json(request);
        self.send(builder, username).await
    }

    /// `POST /v1/auth/logout`: ends the session of `token`.
    pub async fn logout(&self, token: &str, username: &str) -> Result<(), SyncError> {
        let builder = self.http.post(self.url("/v1/auth/logout")).header(AUTHORIZATION, format!("Bearer {token}"));
        let response = builder.send().await.map_err(|source| self.network(source))?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await.map_err(|source| self.network(source))?;
        if (200..300).contains(&status) { Ok(()) } else { Err(from_status(status, &bytes, username)) }
    }

    /// `POST /v1/sync` with a bearer token, the body compressed with zstd. Pulled elements that do
    /// not read as events come back apart, to be kept aside (the rest of the reply still applies).
    pub async fn sync(
        &self,
        token: &str,
        request: &SyncRequest,
        username: &str,
    ) -> Result<(SyncResponse<Received>, Vec<Aside>), SyncError> {
        let json = serde_json::to_vec(request).map_err(|e| SyncError::Encode(e.into()))?;
        let body = zstd::encode_all(json.as_slice(), ZSTD_LEVEL).map_err(SyncError::Encode)?;
        let builder = self
            .http
            .post(self.url("/v1/sync"))
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .header(CONTENT_TYPE, "application/json")
            .header(CONTENT_ENCODING, "zstd")
            .body(body);
        let bytes = self.send_bytes(builder, username).await?;
        // Read once as events; only a reply with an element that is not one is read again, element
        // by element, to set that element aside.
        match serde_json::from_slice::<SyncResponse<Received>>(&bytes) {
            Ok(reply) => Ok((reply, Vec::new())),
            Err(_) => serde_json::from_slice::<SyncResponse<Box<RawValue>>>(&bytes).map(readable).map_err(SyncError::BadReply),
        }
    }

    /// `GET /v1/flags` with filters: the flags in the caller's scope, newest first.
    pub async fn flags(&self, token: &str, query: &FlagQuery, username: &str) -> Result<FlagList, SyncError> {
        let builder = self.http.get(self.url("/v1/flags")).header(AUTHORIZATION, format!("Bearer {token}")).query(query);
        self.send(builder, username).await
    }

    /// `GET <path>` with a bearer token and a typed query: the typed JSON reply.
    pub async fn get_json<Q: serde::Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        token: &str,
        path: &str,
        query: &Q,
        username: &str,
    ) -> Result<T, SyncError> {
        let builder = self.http.get(self.url(path)).header(AUTHORIZATION, format!("Bearer {token}")).query(query);
        self.send(builder, username).await
    }

    /// `GET <path>` with a bearer token and query pairs: the reply's bytes as they are (an export).
    pub async fn download<Q: serde::Serialize + ?Sized>(
        &self,
        token: &str,
        path: &str,
        query: &Q,
        username: &str,
    ) -> Result<Vec<u8>, SyncError> {
        let builder = self.http.get(self.url(path)).header(AUTHORIZATION, format!("Bearer {token}")).query(query);
        self.send_bytes(builder, username).await
    }

    /// `POST <path>` with a bearer token and no body (the admin routes): the reply's JSON.
    pub async fn post_empty(&self, token: &str, path: &str, username: &str) -> Result<serde_json::Value, SyncError> {
        let builder = self.http.post(self.url(path)).header(AUTHORIZATION, format!("Bearer {token}"));
        self.send(builder, username).await
    }

    /// `<method> <path>` with a bearer token and a JSON body: the reply's JSON.
    pub async fn send_json<B: serde::Serialize + ?Sized>(
        &self,
        token: &str,
        method: reqwest::Method,
        path: &str,
        body: &B,
        username: &str,
    ) -> Result<serde_json::Value, SyncError> {
        let builder = self.http.request(method, self.url(path)).header(AUTHORIZATION, format!("Bearer {token}")).json(body);
        self.send(builder, username).await
    }

    /// `GET /healthz`: whether the server is up.
    pub async fn healthz(&self) -> Result<(), SyncError> {
        let response = self.http.get(self.url("/healthz")).send().await.map_err(|source| self.network(source))?;
        match response.status().as_u16() {
            200 => Ok(()),
            status => Err(from_status(status, &response.bytes().await.unwrap_or_default(), "")),
        }
    }

    async fn send<T: DeserializeOwned>(&self, builder: reqwest::RequestBuilder, username: &str) -> Result<T, SyncError> {
        let bytes = self.send_bytes(builder, username).await?;
        serde_json::from_slice(&bytes).map_err(SyncError::BadReply)
    }

    /// The reply's body when its status is a success, else the error it says.
    async fn send_bytes(&self, builder: reqwest::RequestBuilder, username: &str) -> Result<Vec<u8>, SyncError> {
        let response = builder.send().await.map_err(|source| self.network(source))?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await.map_err(|source| self.network(source))?;
        if !(200..300).contains(&status) {
            return Err(from_status(status, &bytes, username));
        }
        Ok(Vec::from(bytes))
    }

    /// The HTTP client, for calls that are not JSON (blobs).
    pub(super) fn client(&self) -> &reqwest::Client {
        &self.http
    }

    pub(super) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A failed request: a certificate this phone does not trust, or the network.
    pub(super) fn network(&self, source: reqwest::Error) -> SyncError {
        match super::tls::certificate_problem(&source) {
            Some(problem) => SyncError::UntrustedServer { url: self.base.clone(), problem },
            None => SyncError::Network { url: self.base.clone(), source },
        }
    }
}
