//! The HTTP API as the tests call it: one method of [`RawDevice`] per route of the server's route
//! table (besides `login` and `sync`, in [`crate::raw`]), each sending the device's token. JSON
//! routes answer the status and the parsed reply (`Null` when it is not JSON); the blob and file
//! routes answer the response itself, for its headers and bytes. [`ROUTES`] names the method of
//! each route, and a test holds it to the server's table.

use anyhow::Result;
use reqwest::{Method, Response, StatusCode};
use serde_json::Value;

use crate::raw::RawDevice;

/// Every route of the server and the method of [`RawDevice`] that calls it.
pub const ROUTES: &[(&str, &str, &str)] = &[
    ("GET", "/", "console_page"),
    ("GET", "/console/{file:.+}", "console_file"),
    ("POST", "/console/session", "console_sign_in"),
    ("POST", "/console/session/refresh", "console_refresh"),
    ("POST", "/console/session/logout", "console_logout"),
    ("GET", "/healthz", "healthz"),
    ("GET", "/readyz", "readyz"),
    ("GET", "/metrics", "metrics"),
    ("POST", "/v1/auth/login", "login"),
    ("POST", "/v1/auth/refresh", "refresh"),
    ("POST", "/v1/auth/logout", "logout"),
    ("POST", "/v1/auth/password", "change_password"),
    ("POST", "/v1/sync", "sync"),
    ("GET", "/v1/projection", "projection"),
    ("GET", "/v1/office", "office"),
    ("GET", "/v1/flags", "flags"),
    ("HEAD", "/v1/blobs/{sha256}", "blob_head"),
    ("PUT", "/v1/blobs/{sha256}", "upload_blob"),
    ("GET", "/v1/blobs/{sha256}", "blob"),
    ("GET", "/v1/evidence/missing", "evidence_missing"),
    ("GET", "/v1/compliance", "compliance"),
    ("GET", "/v1/reconciliation", "reconciliation"),
    ("GET", "/v1/devices/unsynced", "devices_unsynced"),
    ("GET", "/v1/ledger", "ledger"),
    ("GET", "/v1/map", "map"),
    ("GET", "/v1/patrols/{id}", "patrol"),
    ("GET", "/v1/cases", "cases"),
    ("GET", "/v1/cases/{id}", "case"),
    ("GET", "/v1/audit/townships", "audit_townships"),
    ("GET", "/v1/audit/integrity", "audit_integrity"),
    ("GET", "/v1/audit/checkpoint", "audit_checkpoint"),
    ("GET", "/v1/audit/consistency", "audit_consistency"),
    ("GET", "/v1/audit/access", "access_log"),
    ("POST", "/v1/admin/assignments", "assign"),
    ("POST", "/v1/admin/users/{id}/disable", "disable_user"),
    ("POST", "/v1/admin/users/{id}/enable", "enable_user"),
    ("POST", "/v1/admin/users", "add_user"),
    ("PATCH", "/v1/admin/users/{id}", "change_user"),
    ("POST", "/v1/admin/users/{id}/reset-password", "reset_password"),
    ("POST", "/v1/admin/roster", "import_roster"),
    ("GET", "/v1/admin/roster", "export_roster"),
    ("POST", "/v1/admin/devices/{id}/revoke", "revoke_device"),
    ("POST", "/v1/deployment/login", "official_login"),
    ("GET", "/v1/rollups", "rollups"),
];

/// `path`, with `?query` when the query is not empty.
fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() { path.to_owned() } else { format!("{path}?{query}") }
}

/// The status and the JSON of a reply (`Null` when the body is not JSON).
pub async fn json(response: Response) -> Result<(StatusCode, Value)> {
    let status = response.status();
    let bytes = response.bytes().await?;
    Ok((status, serde_json::from_slice(&bytes).unwrap_or(Value::Null)))
}

impl RawDevice {
    /// A request to `path` on this device's server, with its token when it has one and the protocol
    /// version it names (`protocol`).
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let mut request = self.http.request(method, format!("{}{path}", self.url));
        if let Some(version) = self.protocol {
            request = request.header(sync_protocol::wire::version::HEADER, version.to_string());
        }
        if let Some(county) = &self.county_header {
            request = request.header("x-patrolsync-county", county);
        }
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    async fn call_json(&self, method: Method, path: &str, body: Option<&Value>) -> Result<(StatusCode, Value)> {
        let request = self.request(method, path);
        let request = match body {
            Some(body) => request.json(body),
            None => request,
        };
        json(request.send().await?).await
    }

    /// `GET /`: the office console's page.
    pub async fn console_page(&self) -> Result<Response> {
        Ok(self.request(Method::GET, "/").send().await?)
    }

    /// `GET /console/{file}`: a file of the console (`js/main.js`, `app.css`…).
    pub async fn console_file(&self, file: &str) -> Result<Response> {
        Ok(self.request(Method::GET, &format!("/console/{file}")).send().await?)
    }

    /// `POST /console/session` with `request` (the login's body): the console's sign-in.
    pub async fn console_sign_in(&self, request: &Value) -> Result<Response> {
        Ok(self.request(Method::POST, "/console/session").json(request).send().await?)
    }

    /// `POST /console/session/refresh` with the console's header and `cookie` (the refresh cookie
    /// as `name=value`), if any.
    pub async fn console_refresh(&self, cookie: Option<&str>) -> Result<Response> {
        let request = self.request(Method::POST, "/console/session/refresh").header("x-patrolsync-console", "1");
        let request = match cookie {
            Some(cookie) => request.header("cookie", cookie),
            None => request,
        };
        Ok(request.send().await?)
    }

    /// `POST /console/session/logout`: ends this token's session and clears the cookie.
    pub async fn console_logout(&self) -> Result<Response> {
        Ok(self.request(Method::POST, "/console/session/logout").send().await?)
    }

    /// `GET /healthz`.
    pub async fn healthz(&self) -> Result<(StatusCode, Value)> {
        self.call_json(Method::GET, "/healthz", None).await
    }

    /// `GET /readyz`.
    pub async fn readyz(&self) -> Result<(StatusCode, Value)> {
        self.call_json(Method::GET, "/readyz", None).await
    }

    /// `GET /metrics`: the Prometheus text.
    pub async fn metrics(&self) -> Result<Response> {
        Ok(self.request(Method::GET, "/metrics").send().await?)
    }

    /// `POST /v1/auth/login` as `username` with `password`, for this device and its key (no proof
    /// of the key): the reply as it comes, where [`RawDevice::login`] wants a 200.
    pub async fn try_login(&self, username: &str, password: &str) -> Result<Response> {
        let body = serde_json::json!({
            "username": username,
            "password": password,
            "device": {"device_id": self.device.to_string(), "public_key": self.key.public().to_base64()},
        });
        Ok(self.request(Method::POST, "/v1/auth/login").json(&body).send().await?)
    }

    /// `POST /v1/auth/refresh` with `refresh_token`.
    pub async fn refresh(&self, refresh_token: &str) -> Result<(StatusCode, Value)> {
        self.call_json(Method::POST, "/v1/auth/refresh", Some(&serde_json::json!({ "refresh_token": refresh_token }))).await
    }

    /// `POST /v1/auth/logout`: ends this device's session.
    pub async fn logout(&self) -> Result<(StatusCode, Value)> {
        self.call_json(Method::POST, "/v1/auth/logout", None).await
    }

    /// `POST /v1/auth/password` with `request` (`current_password`, `new_password`).
    pub async fn change_password(&self, request: &Value) -> Result<(StatusCode, Value)> {
        self.call_json(Method::POST, "/v1/auth/password", Some(request)).await
    }

    /// `GET /v1/projection`: the fold of the user's scope.
    pub async fn projection(&self) -> Result<(StatusCode, Value)> {
        self.call_json(Method::GET, "/v1/projection", None).await
    }

    /// `GET /v1/office`: the reference data and office records of the user's scope.
    pub async fn office(&self) -> Result<(StatusCode, Value)> {
        self.call_json(Method::GET, "/v1/office", None).await
    }

    /// `GET /v1/flags?{query}`.
    pub async fn flags(&self, query: &str) -> Result<(StatusCode, Value)> {
        self.call_json(Method::GET, &with_query("/v1/flags", query), None).await
    }

    /// `HEAD /v1/blobs/{sha256}`: whether the blob is there, or how much of it (`upload-offset`).
    pub async fn blob_head(&self, sha256: &str) -> Result<Response> {
        Ok(self.request(Method::HEAD, &format!("/v1/blobs/{sha256}")).send().await?)
    }

    /// `PUT /v1/blobs/{sha256}` of `bytes` from `offset` (`upload-offset`).
    pub async fn upload_blob(&self, sha256: &str, offset: u64, bytes: &[u8]) -> Result<Response> {
        let request = self.request(Method::PUT, &format!("/v1/blobs/{sha256}")).header("upload-offset", offset);
        Ok(request.body(bytes.to_vec()).send().await?)
    }

    /// `GET /v1/blobs/{sha256}`.
    pub async fn blob(&self, sha256: &str) -> Result<Response> {
        Ok(self.request(Method::GET, &format!("/v1/blobs/{sha256}")).send().await?)
    }

    /// `GET /v1/evidence/missing?{query}`.
    pub async fn evidence_missing(&self, query: &str) -> Result<(StatusCode, Value)> {
        self.call_json(Method::GET, &with_query("/v1/evidence/missing", query), None).await
    }

    /// `GET /v1/compliance?{query}`.
    pub async fn compliance(&self, query: &str) -> Result<(StatusCode, Value)> {
        self.call_json(Method::GET, &with_query("/v1/compliance", query), None).await
    }

    /// `POST /v1/deployment/login`: a city or province official's login; on success the device
    /// holds the official's token.
    pub async fn official_login(&mut self, username: &str, password: &str) -> Result<(StatusCode, Value)> {
        let body = serde_json::json!({ "username": username, "password": password });
        let (status, reply) = self.call_json(Method::POST, "/v1/deployment/login", Some(&body)).await?;
        if status == StatusCode::OK {
            self.token = reply["access_token"].as_str().map(str::to_owned);
        }
        Ok((status, reply))
    }

    /// `GET /v1/rollups?{query}`: the official's week by county.
    pub async fn rollups(&self, query: &str) -> Result<(StatusCode, Value)> {
        self.call_json(Method::GET, &with_query("/v1/rollups", query), None).await
    }

    /// `GET /v1/reconciliation?{query}`.
    pub async fn reconciliation(&self, query: &str) -> Result<(StatusCode, Value)> {
        self.call_json(Method::GET, &with_query("/v1/reconciliation", query), None).await
    }

    /// `GET /v1/devices/unsynced?{query}`: devices not synced for the configured days.
    pub async fn devices_unsynced(&self, query: &str) -> Result<(StatusCode, Value)> {
        self.call_json(Method::GET, &with_query("/v1/devices/unsynced", query), None).await
    }

    /// `GET /v1/ledger?{query}`: JSON, or the file `format=csv|xlsx` asks for.
    pub async fn ledger(&self, query: &str) -> Result<Response> {
        Ok(self.request(Method::GET, &with_query("/v1/ledger", query)).send().await?)
    }

    /// `GET /v1/map?{query}` (the ledger's query): the tracks and findings the console's map draws.
    pub async fn map(&self, query: &str) -> Result<(StatusCode, Value)> {
        self.call_json(Method::GET, &with_query("/v1/map", query), None).await
    }

    /// `GET /v1/patrols/{id}`: a patrol's recording event as stored, its amendments and their keys.
    pub async fn patrol(&self, id: &str) -> Result<(StatusCode, Value)> {
        self.call_json(Method::GET, &format!("/v1/patrols/{id}"), None).await
    }

    /// `GET /v1/cases?{query}`.
    pub async fn cases(&self, query: &str) -> Result<(StatusCode, Value)> {
        self.call_json(Method::GET, &with_query("/v1/cases", query), None).await
    }

    /// `GET /v1/cases/{id}`.
    pub async fn case(&self, id: &str) -> Result<(StatusCode, Value)> {
        self.call_json(Method::GET, &format!("/v1/cases/{id}"), None).await
    }

    /// `GET /v1/audit/townships?{query}`.
    pub async fn audit_townships(&self, query: &str) -> Result<(StatusCode, Value)> {
        self.call_json(Method::GET, &with_query("/v1/audit/townships", query), None).await
    }

    /// `GET /v1/audit/integrity`.
    pub async fn audit_integrity(&self) -> Result<(StatusCode, Value)> {
        self.call_json(Method::GET, "/v1/audit/integrity", None).await
    }

    /// `GET /v1/audit/checkpoint`.
    pub async fn audit_checkpoint(&self) -> Result<(StatusCode, Value)> {
        self.call_json(Method::GET, "/v1/audit/checkpoint", None).await
    }

    /// `GET /v1/audit/consistency?{query}` (`from`, `to`).
    pub async fn audit_consistency(&self, query: &str) -> Result<(StatusCode, Value)> {
        self.call_json(Method::GET, &with_query("/v1/audit/consistency", query), None).await
    }

    /// `GET /v1/audit/access?{query}`.
    pub async fn access_log(&self, query: &str) -> Result<(StatusCode, Value)> {
        self.call_json(Method::GET, &with_query("/v1/audit/access", query), None).await
    }

    /// `POST /v1/admin/assignments` with `request`.
    pub async fn assign(&self, request: &Value) -> Result<(StatusCode, Value)> {
        self.call_json(Method::POST, "/v1/admin/assignments", Some(request)).await
    }

    /// `POST /v1/admin/users/{user}/disable`.
    pub async fn disable_user(&self, user: &str) -> Result<(StatusCode, Value)> {
        self.call_json(Method::POST, &format!("/v1/admin/users/{user}/disable"), None).await
    }

    /// `POST /v1/admin/users/{user}/enable`.
    pub async fn enable_user(&self, user: &str) -> Result<(StatusCode, Value)> {
        self.call_json(Method::POST, &format!("/v1/admin/users/{user}/enable"), None).await
    }

    /// `POST /v1/admin/users` with `request`.
    pub async fn add_user(&self, request: &Value) -> Result<(StatusCode, Value)> {
        self.call_json(Method::POST, "/v1/admin/users", Some(request)).await
    }

    /// `PATCH /v1/admin/users/{user}` with `change`.
    pub async fn change_user(&self, user: &str, change: &Value) -> Result<(StatusCode, Value)> {
        self.call_json(Method::PATCH, &format!("/v1/admin/users/{user}"), Some(change)).await
    }

    /// `POST /v1/admin/users/{user}/reset-password`: a one-time password.
    pub async fn reset_password(&self, user: &str) -> Result<(StatusCode, Value)> {
        self.call_json(Method::POST, &format!("/v1/admin/users/{user}/reset-password"), None).await
    }

    /// `POST /v1/admin/roster?{query}` with a roster file of `content_type`.
    pub async fn import_roster(&self, query: &str, content_type: &str, file: Vec<u8>) -> Result<(StatusCode, Value)> {
        let request = self.request(Method::POST, &with_query("/v1/admin/roster", query)).header("content-type", content_type);
        json(request.body(file).send().await?).await
    }

    /// `GET /v1/admin/roster?{query}`: the roster file.
    pub async fn export_roster(&self, query: &str) -> Result<Response> {
        Ok(self.request(Method::GET, &with_query("/v1/admin/roster", query)).send().await?)
    }

    /// `POST /v1/admin/devices/{device}/revoke`.
    pub async fn revoke_device(&self, device: &str) -> Result<(StatusCode, Value)> {
        self.call_json(Method::POST, &format!("/v1/admin/devices/{device}/revoke"), None).await
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_client_has_a_method_for_every_route_of_the_server() {
        let client: Vec<(&str, &str)> = super::ROUTES.iter().map(|(method, path, _)| (*method, *path)).collect();
        assert_eq!(client, patrolsync_server::http::routes::ROUTES, "a route added to the server needs its method here");
    }
}
