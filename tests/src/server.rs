//! The real `patrolsync-server` binary as a child process: a temporary store, port 0, readiness
//! read from its output (never a sleep), SIGKILL on demand and on drop.

use anyhow::{Context, Result, bail};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct TestServer {
    child: Option<Child>,
    pub port: u16,
    pub dir: tempfile::TempDir,
    extra_env: Vec<(String, String)>,
    /// Started with `--demo`.
    demo: bool,
    /// Every line the server printed on standard output, across restarts.
    output: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

/// The server binary this package builds (`e2e-server`, the same code as `patrolsync-server`),
/// unless `PATROLSYNC_SERVER_BIN` names another.
pub fn server_binary() -> PathBuf {
    built_binary("e2e-server", "PATROLSYNC_SERVER_BIN")
}

/// Where cargo put this package's binary `name`: the folder above the test executable's `deps/`
/// (cargo builds a package's binaries before its integration tests), unless the environment
/// variable `override_var` names another path.
pub fn built_binary(name: &str, override_var: &str) -> PathBuf {
    if let Ok(path) = std::env::var(override_var) {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().unwrap_or_default();
    let mut dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
    if dir.ends_with("deps") {
        dir.pop();
    }
    dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

impl TestServer {
    /// Starts a server with the demo county on a new temporary store.
    pub fn start() -> Result<TestServer> {
        TestServer::start_with(&[])
    }

    /// Starts a server with extra `PATROLSYNC_*` settings.
    pub fn start_with(env: &[(&str, &str)]) -> Result<TestServer> {
        TestServer::start_in(tempfile::tempdir()?, env)
    }

    /// Starts a server (with the demo county, if the store has none) on the store in `dir`
    /// (`central.db`), which may already hold one.
    pub fn start_in(dir: tempfile::TempDir, env: &[(&str, &str)]) -> Result<TestServer> {
        let extra_env = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let mut server = TestServer { child: None, port: 0, dir, extra_env, demo: true, output: Default::default() };
        server.spawn(0)?;
        Ok(server)
    }

    /// Starts a server without the demo on the store in `dir` (`central.db`), e.g. one that
    /// `patrolsync-server init` founded.
    pub fn start_county(dir: tempfile::TempDir) -> Result<TestServer> {
        let mut server = TestServer { child: None, port: 0, dir, extra_env: Vec::new(), demo: false, output: Default::default() };
        server.spawn(0)?;
        Ok(server)
    }

    /// The lines the server has printed on standard output so far (its logs, with `RUST_LOG`
    /// set through [`TestServer::start_with`]; `warn` otherwise).
    pub fn output(&self) -> Vec<String> {
        self.output.lock().map(|lines| lines.clone()).unwrap_or_default()
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("central.db")
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn spawn(&mut self, port: u16) -> Result<()> {
        let bin = server_binary();
        if !bin.exists() {
            bail!("{} is missing: build the workspace first (cargo test --workspace builds it)", bin.display());
        }
        let mut cmd = Command::new(&bin);
        cmd.args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--db"])
            .arg(self.db())
            .args(self.demo.then_some("--demo"))
            .env("PATROLSYNC_DEMO_PASSWORD", crate::DEMO_PASSWORD)
            .env("RUST_LOG", "warn")
            // Every test phone connects from 127.0.0.1, so the per-address limit of the auth routes
            // is lifted; the tests of that limit set it back (tests/tests/auth_limits.rs).
            .env("PATROLSYNC_AUTH_PER_IP_PER_MINUTE", "1000000")
            .env("PATROLSYNC_AUTH_PER_IP_BURST", "100000")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in &self.extra_env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().with_context(|| format!("starting {}", bin.display()))?;
        let stdout = child.stdout.take().context("server stdout")?;
        let (tx, rx) = std::sync::mpsc::channel();
        let output = self.output.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Ok(mut lines) = output.lock() {
                    lines.push(line.clone());
                }
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut bound = None;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx.recv_timeout(left).context("the server did not say it was ready")?;
            if let Some(rest) = line.strip_prefix("patrolsync-server listening on http://127.0.0.1:") {
                bound = rest.split_whitespace().next().and_then(|p| p.parse().ok());
            }
            if line == "ready" {
                break;
            }
        }
        self.port = bound.context("the server did not print its port")?;
        self.child = Some(child);
        Ok(())
    }

    /// Kills the server with SIGKILL: no shutdown, no flush, as a power cut would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Sets a `PATROLSYNC_*` variable for the next (re)start.
    pub fn set_env(&mut self, name: &str, value: &str) {
        self.extra_env.retain(|(k, _)| k != name);
        self.extra_env.push((name.to_string(), value.to_string()));
    }

    /// Starts the server again on the same store and the same port.
    pub fn restart(&mut self) -> Result<()> {
        self.kill();
        let port = self.port;
        self.spawn(port)
    }

    /// The child's process id, for tests that signal it themselves.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
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

    /// Runs the server binary's command `args` (not `serve`) with `input` on standard input; returns
    /// its output, whatever its exit code.
    pub fn command(args: &[&str], input: &str) -> Result<std::process::Output> {
        use std::io::Write;
        let mut child = Command::new(server_binary())
            .args(args)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("starting the server binary")?;
        child.stdin.take().context("stdin")?.write_all(input.as_bytes())?;
        Ok(child.wait_with_output()?)
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

impl Drop for TestServer {
    fn drop(&mut self) {
        self.kill();
    }
}
