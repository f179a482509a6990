//! A real headless Chromium driven through chromedriver (WebDriver, with `fantoccini`), for the
//! console's tests: one browser for many checks, a fresh profile, downloads into a folder, and
//! every JavaScript error or Content-Security-Policy violation on a page turned into a failure.

use anyhow::{Context, Result, bail};
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The flags that work on the CI machine (no sandbox as root, no GPU, no network of its own).
const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
    "--lang=zh-CN",
];

pub struct Browser {
    pub client: Client,
    driver: Child,
    pub downloads: PathBuf,
    _profile: tempfile::TempDir,
}

/// chromedriver's `POST /session/{id}/se/log`: the browser's console messages since the last call.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }
    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(json!({"type": "browser"}).to_string()))
    }
}

fn binary(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().flat_map(|n| std::env::split_paths(&path).map(move |d| d.join(n))).find(|p| p.is_file())
}

/// Whether chromedriver and Chromium are installed (`.ci/test-deps` installs them from Debian).
pub fn available() -> bool {
    binary(&["chromedriver"]).is_some() && binary(&["chromium", "chromium-browser", "google-chrome"]).is_some()
}

impl Browser {
    /// Starts chromedriver on a free port and a headless Chromium with a new profile.
    pub async fn start() -> Result<Browser> {
        // Installed from Debian's packages when missing (`.ci/test-deps`), else the test fails.
        crate::real_parts::ensure(crate::real_parts::Part::Browser)?;
        let driver_bin = binary(&["chromedriver"]).context("chromedriver is not installed (apt-get install chromium-driver)")?;
        let chromium = binary(&["chromium", "chromium-browser", "google-chrome"]).context("chromium is not installed")?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let driver = Command::new(driver_bin).arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null()).spawn()?;
        let profile = tempfile::tempdir()?;
        let downloads = profile.path().join("downloads");
        std::fs::create_dir_all(&downloads)?;
        let mut args: Vec<String> = FLAGS.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.path().join("profile").display()));
        let caps = json!({
            "browserName": "chrome",
            "goog:loggingPrefs": {"browser": "ALL"},
            "goog:chromeOptions": {
                "binary": chromium,
                "args": args,
                "prefs": {"download.default_directory": downloads, "download.prompt_for_download": false},
            },
        });
        let caps = match caps {
            Value::Object(map) => map,
            _ => bail!("capabilities"),
        };
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector).capabilities(caps.clone()).connect(&url).await {
                Ok(c) => break c,
                Err(e) if Instant::now() > deadline => bail!("cannot start Chromium through chromedriver: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        Ok(Browser { client, driver, downloads, _profile: profile })
    }

    /// The browser's log since the last call, as `LEVEL message` lines.
    pub async fn log(&self) -> Result<Vec<String>> {
        let log = self.client.issue_cmd(BrowserLog).await?;
        let entries = log.as_array().cloned().unwrap_or_default();
        Ok(entries
            .iter()
            .map(|e| format!("{} {}", e["level"].as_str().unwrap_or_default(), e["message"].as_str().unwrap_or_default()))
            .collect())
    }

    /// The console messages of level SEVERE since the last call: uncaught errors, failed
    /// loads and Content-Security-Policy violations.
    pub async fn severe(&self) -> Result<Vec<String>> {
        Ok(self.log().await?.into_iter().filter_map(|l| l.strip_prefix("SEVERE ").map(str::to_owned)).collect())
    }

    /// Fails when the page logged an error since the last check.
    pub async fn no_errors(&self, what: &str) -> Result<()> {
        let errors = self.severe().await?;
        if !errors.is_empty() {
            bail!("JavaScript errors on {what}:\n{}", errors.join("\n"));
        }
        Ok(())
    }

    /// Opens `url` (a `#/page` of the console), waits until the page says it is drawn
    /// (`main[data-ready=page]`), and fails on any error it logged.
    pub async fn open(&self, url: &str, page: &str) -> Result<()> {
        self.client.goto(url).await?;
        self.ready(page).await
    }

    /// Waits for `main[data-ready=page]`, then checks the log.
    pub async fn ready(&self, page: &str) -> Result<()> {
        self.wait(&format!("main[data-ready='{page}']")).await?;
        self.no_errors(page).await
    }

    /// Waits (up to 30 s) for an element matching `css`.
    pub async fn wait(&self, css: &str) -> Result<fantoccini::elements::Element> {
        self.client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css(css))
            .await
            .with_context(|| format!("waiting for {css}"))
    }

    /// The text of the first element matching `css`.
    pub async fn text(&self, css: &str) -> Result<String> {
        Ok(self.wait(css).await?.text().await?)
    }

    /// Runs `script` in the page and returns its value.
    pub async fn eval(&self, script: &str) -> Result<Value> {
        Ok(self.client.execute(script, vec![]).await?)
    }

    /// Signs in through the console's dialog.
    pub async fn sign_in(&self, user: &str, password: &str) -> Result<()> {
        let name = self.wait("#signin-user").await?;
        name.clear().await?;
        name.send_keys(user).await?;
        self.wait("#signin-password").await?.send_keys(password).await?;
        self.wait("#signin-go").await?.click().await?;
        Ok(())
    }

    /// Saves a PNG of the window to `path`.
    pub async fn screenshot(&self, path: &Path) -> Result<()> {
        let png = self.client.screenshot().await?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, png)?;
        Ok(())
    }

    /// Runs the vendored axe-core (WCAG 2 A and AA rules) on the page; the violations, as
    /// `rule: target…` lines.
    pub async fn accessibility(&self) -> Result<Vec<String>> {
        let axe = include_str!("../vendor/axe-core/axe.min.js");
        self.client.execute(axe, vec![]).await?;
        let script = "const done = arguments[arguments.length - 1];
            axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] })
              .then((r) => done(r.violations.map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', '))))
              .catch((e) => done(['axe failed: ' + e]));";
        let out = self.client.execute_async(script, vec![]).await?;
        Ok(out.as_array().into_iter().flatten().filter_map(|v| v.as_str().map(str::to_owned)).collect())
    }

    /// Waits (up to 30 s) for a finished download whose name ends with `suffix`.
    pub async fn downloaded(&self, suffix: &str) -> Result<PathBuf> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            for entry in std::fs::read_dir(&self.downloads)? {
                let path = entry?.path();
                if path.to_string_lossy().ends_with(suffix) {
                    return Ok(path);
                }
            }
            if Instant::now() > deadline {
                bail!("no {suffix} download in {}", self.downloads.display());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Ends the browser session and chromedriver.
    pub async fn close(mut self) -> Result<()> {
        let closed = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        closed?;
        Ok(())
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
