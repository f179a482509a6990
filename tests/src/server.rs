//! The real `patrolsync-server` binary as a child process: a temporary store, port 0, readiness
//! read from its output (never a sleep), SIGKILL on demand and on drop. For the tests that kill or
//! restart the server, fill the disk under it, or read what it prints; the others run the
//! application in-process ([`crate::app::spawn_app`]).

use anyhow::{Context, Result, bail, ensure};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::site::Site;

pub struct TestServer {
    child: Option<Child>,
    /// Its port, scheme and store folder ([`Site::url`], [`Site::db`], [`Site::open_store`]…).
    site: Site,
    extra_env: Vec<(String, String)>,
    /// Started with `--demo`.
    demo: bool,
    /// Every line the server printed on standard output, across restarts.
    output: Output,
}

/// The lines a server printed, shared with the thread that reads them.
type Output = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

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
        let site = Site::new(0, dir);
        let mut server = TestServer { child: None, site, extra_env, demo: true, output: Default::default() };
        server.spawn(0)?;
        Ok(server)
    }

    /// Starts a server without the demo on the store in `dir` (`central.db`), e.g. one that
    /// `patrolsync-server init` founded.
    pub fn start_county(dir: tempfile::TempDir) -> Result<TestServer> {
        TestServer::start_county_with(dir, &[])
    }

    /// [`TestServer::start_county`] with extra `PATROLSYNC_*` settings (e.g. its TLS files).
    pub fn start_county_with(dir: tempfile::TempDir, env: &[(&str, &str)]) -> Result<TestServer> {
        let extra_env = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let site = Site::new(0, dir);
        let mut server = TestServer { child: None, site, extra_env, demo: false, output: Default::default() };
        server.spawn(0)?;
        Ok(server)
    }

    /// The lines the server has printed on standard output so far (its logs, with `RUST_LOG`
    /// set through [`TestServer::start_with`]; `warn` otherwise).
    pub fn output(&self) -> Vec<String> {
        self.output.lock().map(|lines| lines.clone()).unwrap_or_default()
    }

    fn spawn(&mut self, port: u16) -> Result<()> {
        let child = self.start_child(port)?;
        let (child, bound, scheme) = wait_ready(child, self.output.clone())?;
        self.site.port = bound;
        self.site.scheme = scheme;
        self.child = Some(child);
        Ok(())
    }

    /// Starts the server once more on the same store and port, expecting it to refuse to start:
    /// returns its exit status and everything it printed.
    pub fn start_refused(&mut self) -> Result<(std::process::ExitStatus, String)> {
        self.kill();
        let mut child = self.start_child(self.port)?;
        // A server that does start serves until killed: give it a minute to refuse.
        let deadline = Instant::now() + Duration::from_secs(60);
        while child.try_wait()?.is_none() {
            if Instant::now() > deadline {
                child.kill()?;
                bail!("the server started and served instead of refusing to start");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let out = child.wait_with_output()?;
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        ensure!(!out.status.success(), "the server started:\n{text}");
        Ok((out.status, text))
    }

    fn start_child(&self, port: u16) -> Result<Child> {
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
            .envs(crate::app::LIFTED_LIMITS)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in &self.extra_env {
            cmd.env(k, v);
        }
        cmd.spawn().with_context(|| format!("starting {}", bin.display()))
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

    /// Serves another store folder (e.g. one a backup was restored into) on the same port, as an
    /// administrator points the service at it; returns the folder it served before.
    pub fn restart_in(&mut self, dir: tempfile::TempDir) -> Result<tempfile::TempDir> {
        self.kill();
        let before = std::mem::replace(&mut self.site.dir, dir);
        let port = self.port;
        self.spawn(port)?;
        Ok(before)
    }

    /// The child's process id, for tests that signal it themselves.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Runs the server binary's command `args` (not `serve`) with `input` on standard input; returns
    /// its output, whatever its exit code.
    pub fn command(args: &[&str], input: &str) -> Result<std::process::Output> {
        Ok(TestServer::spawn_command(args, input)?.wait_with_output()?)
    }

    /// Starts the server binary's command `args` with `input` on standard input, its output piped,
    /// and leaves it running (for tests that kill it part way).
    pub fn spawn_command(args: &[&str], input: &str) -> Result<Child> {
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
        Ok(child)
    }
}

/// Reads the child's output until it says `ready`, keeping every line in `output`; returns it with
/// its port and scheme. Its standard error is passed on to the test's.
fn wait_ready(mut child: Child, output: Output) -> Result<(Child, u16, String)> {
    let stdout = child.stdout.take().context("server stdout")?;
    if let Some(stderr) = child.stderr.take() {
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("{line}");
            }
        });
    }
    let (tx, rx) = std::sync::mpsc::channel();
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
        if let Some(rest) = line.strip_prefix("patrolsync-server listening on ") {
            let (scheme, rest) = rest.split_once("://127.0.0.1:").context("a listening line")?;
            bound = rest.split_whitespace().next().and_then(|p| p.parse().ok()).map(|p: u16| (p, scheme.to_owned()));
        }
        if line == "ready" {
            break;
        }
    }
    let (port, scheme) = bound.context("the server did not print its port")?;
    Ok((child, port, scheme))
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.kill();
    }
}

impl std::ops::Deref for TestServer {
    type Target = Site;

    fn deref(&self) -> &Site {
        &self.site
    }
}
