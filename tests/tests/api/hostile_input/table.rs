//! The fixture and the request table: one case is a payload class, the request that carries it,
//! and the answer it must get; the runner checks every case, then that the store is unchanged
//! and the server still healthy.

use anyhow::Result;
use patrolsync_tests::DEMO_PASSWORD;
use patrolsync_tests::app::TestApp;
use patrolsync_tests::raw::RawDevice;
use patrolsync_tests::snapshot::Snapshot;
use reqwest::Method;
use serde_json::Value;

/// A demo server with a village officer and the admin logged in.
pub struct Fixture {
    pub server: TestApp,
    pub officer: RawDevice,
    pub admin: RawDevice,
}

impl Fixture {
    pub async fn start(env: &[(&str, &str)]) -> Result<Fixture> {
        let server = TestApp::spawn(env)?;
        let officer = login(&server, "vo-t01-v01").await?;
        let admin = login(&server, "admin").await?;
        Ok(Fixture { server, officer, admin })
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot::of(&self.server).expect("snapshot of the store")
    }

    pub fn token(&self, who: Who) -> Option<String> {
        match who {
            Who::Officer => self.officer.token.clone(),
            Who::Admin => self.admin.token.clone(),
            Who::Nobody => None,
        }
    }

    /// The officer's sync body with `fields` spliced in as raw JSON text after `"hlc"`.
    pub fn sync_text(&self, fields: &str) -> Vec<u8> {
        let comma = if fields.is_empty() { "" } else { "," };
        format!("{{\"hlc\":\"{}\"{comma}{fields}}}", self.officer.hlc).into_bytes()
    }

    /// Whether `/healthz` answers 200 now.
    pub async fn healthy(&self) -> bool {
        let response = self.officer.http.get(format!("{}/healthz", self.server.url())).send().await;
        response.is_ok_and(|r| r.status() == reqwest::StatusCode::OK)
    }
}

async fn login(server: &TestApp, user: &str) -> Result<RawDevice> {
    let mut d = RawDevice::new(&server.url(), user)?;
    d.compress = false;
    d.login(DEMO_PASSWORD).await?;
    Ok(d)
}

/// Whose token a case carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Officer,
    Admin,
    Nobody,
}

/// One payload class on one route, and its expected answer.
pub struct Case {
    pub class: String,
    pub method: Method,
    pub path: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
    pub who: Who,
    pub status: u16,
    /// The JSON error code; empty when the answer has no JSON body to check (HEAD, 2xx).
    pub code: &'static str,
}

impl Case {
    pub fn new(class: impl Into<String>, method: Method, path: impl Into<String>) -> Case {
        Case {
            class: class.into(),
            method,
            path: path.into(),
            headers: Vec::new(),
            body: Vec::new(),
            who: Who::Officer,
            status: 0,
            code: "",
        }
    }

    pub fn post(class: impl Into<String>, path: &str, body: impl Into<Vec<u8>>) -> Case {
        Case { body: body.into(), ..Case::new(class, Method::POST, path) }
    }

    pub fn get(class: impl Into<String>, path: impl Into<String>) -> Case {
        Case::new(class, Method::GET, path)
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Case {
        self.headers.push((name, value.into()));
        self
    }

    pub fn by(mut self, who: Who) -> Case {
        self.who = who;
        self
    }

    pub fn answer(mut self, status: u16, code: &'static str) -> Case {
        self.status = status;
        self.code = code;
        self
    }
}

/// Sends every case, checks each answer, and checks after each that it changed nothing in the
/// store (but the access log's entry of a failed login) and left the server healthy. Reports every failing case at once.
pub async fn run(fx: &Fixture, cases: Vec<Case>) -> Result<()> {
    let mut before = fx.snapshot();
    let mut failures = Vec::new();
    for case in &cases {
        assert!(case.status != 0, "{}: no expected answer written down", case.class);
        let mut request = fx.officer.http.request(case.method.clone(), format!("{}{}", fx.server.url(), case.path));
        if let Some(token) = fx.token(case.who) {
            request = request.bearer_auth(token);
        }
        for (name, value) in &case.headers {
            request = request.header(*name, value);
        }
        // Every body is sent as JSON (an empty one too): what is refused is its content, never its type.
        if case.method == Method::POST || !case.body.is_empty() {
            request = request.header("content-type", "application/json").body(case.body.clone());
        }
        let (status, body) = match request.send().await {
            Ok(r) => (r.status().as_u16(), r.bytes().await.map(|b| b.to_vec()).unwrap_or_default()),
            Err(e) => (0, e.to_string().into_bytes()),
        };
        let code = serde_json::from_slice::<Value>(&body).ok().and_then(|v| v["error"]["code"].as_str().map(str::to_string));
        if status != case.status || (!case.code.is_empty() && code.as_deref() != Some(case.code)) {
            let shown = String::from_utf8_lossy(&body[..body.len().min(300)]).to_string();
            failures.push(format!("{}: expected {} {}, got {status} {shown}", case.class, case.status, case.code));
        }
        let after = fx.snapshot();
        let mut changes = after.changes_since(&before);
        // A login refused for its credentials is an entry of the access log (docs/people.md).
        if case.path == "/v1/auth/login" && status == 401 && changes.get("access_log") == Some(&1) {
            changes.remove("access_log");
        }
        if !changes.is_empty() {
            failures.push(format!("{}: the store changed: {changes:?}", case.class));
        }
        before = after;
        if !fx.healthy().await {
            failures.push(format!("{}: the server is no longer healthy", case.class));
            break;
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
    Ok(())
}
