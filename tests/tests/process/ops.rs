//! Operations through the real server binary: the request log it prints (text and JSON, one line a
//! request, never a secret), `GET /readyz`, and `patrolsync-server config check`. The metrics are
//! in `api/ops.rs`.

use anyhow::Result;
use patrolsync_tests::DEMO_PASSWORD;
use patrolsync_tests::raw::RawDevice;
use patrolsync_tests::server::{TestServer, server_binary};
use reqwest::StatusCode;

#[tokio::test]
async fn the_request_log_names_route_status_user_and_device_and_never_a_secret() -> Result<()> {
    let server = TestServer::start_with(&[("RUST_LOG", "warn,patrolsync::request=info"), ("PATROLSYNC_LOG_FORMAT", "json")])?;
    let url = server.url();
    let mut officer = RawDevice::new(&url, "vo-t01-v01")?;
    let login = officer.login(DEMO_PASSWORD).await?;
    officer.sync(&[]).await?;
    let blob = "0".repeat(64);
    assert_eq!(officer.get_json(&format!("/v1/blobs/{blob}")).await?.0, StatusCode::NOT_FOUND);
    let ready = reqwest::get(format!("{url}/readyz")).await?;
    assert_eq!(ready.status(), StatusCode::OK);

    let token = officer.token.clone().unwrap_or_default();
    let lines = wait_for_lines(&server, 4)?;
    let records: Vec<serde_json::Value> = lines.iter().filter_map(|l| serde_json::from_str(l).ok()).collect();
    assert_eq!(records.len(), lines.len(), "every line is JSON: {lines:?}");
    let fields = |route: &str| records.iter().map(|r| &r["fields"]).find(|f| f["route"] == route).cloned();
    let sync = fields("/v1/sync").expect("the sync is logged");
    assert_eq!((sync["method"].as_str(), sync["status"].as_u64()), (Some("POST"), Some(200)));
    assert_eq!(sync["user"], "vo-t01-v01");
    assert_eq!(sync["device"], officer.device.to_string());
    assert!(sync["latency_ms"].as_f64().is_some());
    let blob_get = fields("/v1/blobs/{sha256}").expect("the route template, not the path");
    assert_eq!(blob_get["status"], 404);
    let login_line = fields("/v1/auth/login").expect("the login is logged");
    assert_eq!(login_line["user"], "", "no token yet: no user");
    assert!(fields("/readyz").is_some());
    let all = lines.join("\n");
    for secret in [token.as_str(), DEMO_PASSWORD, login.refresh_token.as_str(), blob.as_str()] {
        assert!(!all.contains(secret), "the log holds a secret or a raw path: {secret}");
    }
    Ok(())
}

/// Waits until the server has printed at least `n` lines of request log.
fn wait_for_lines(server: &TestServer, n: usize) -> Result<Vec<String>> {
    let requests = || server.output().into_iter().filter(|l| l.contains("patrolsync::request")).collect::<Vec<_>>();
    patrolsync_tests::device::wait_for("request log lines", std::time::Duration::from_secs(10), || Ok(requests().len() >= n))?;
    Ok(requests())
}

#[tokio::test]
async fn the_text_request_log_is_one_line_a_request() -> Result<()> {
    let server = TestServer::start_with(&[("RUST_LOG", "warn,patrolsync::request=info")])?;
    let mut officer = RawDevice::new(&server.url(), "vo-t01-v01")?;
    officer.login(DEMO_PASSWORD).await?;
    officer.sync(&[]).await?;
    let lines = wait_for_lines(&server, 2)?;
    let sync = lines.iter().find(|l| l.contains("route=\"/v1/sync\"")).unwrap_or_else(|| panic!("sync not logged: {lines:?}"));
    for part in ["method=\"POST\"", "status=200", "user=\"vo-t01-v01\"", &format!("device=\"{}\"", officer.device), "latency_ms="] {
        assert!(sync.contains(part), "{part} missing from {sync}");
    }
    assert!(!sync.contains('\u{1b}'), "no terminal colours in a log that is not a terminal: {sync:?}");
    Ok(())
}

#[test]
fn config_check_accepts_a_valid_file_and_names_the_key_of_an_invalid_one() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let check = |text: &str, env: &[(&str, &str)]| -> Result<std::process::Output> {
        let file = dir.path().join("server.toml");
        std::fs::write(&file, text)?;
        let mut cmd = std::process::Command::new(server_binary());
        cmd.args(["config", "check", "--print"]).arg(&file);
        for (k, v) in env {
            cmd.env(k, v);
        }
        Ok(cmd.output()?)
    };
    let good = check("bind = \"0.0.0.0:8443\"\n[log]\nformat = \"json\"\n", &[])?;
    let stdout = String::from_utf8_lossy(&good.stdout);
    assert!(good.status.success(), "{stdout} {}", String::from_utf8_lossy(&good.stderr));
    assert!(stdout.contains("valid") && stdout.contains("format = \"json\""), "{stdout}");

    for (text, env, names) in [
        ("bind = 8080\n", vec![], "bind"),
        ("[log]\nformat = \"xml\"\n", vec![], "format"),
        ("tokens_ttl = 60\n", vec![], "tokens_ttl"),
        ("token_ttl_s = 3600\n", vec![], "token_ttl_s"),
        ("", vec![("PATROLSYNC_WORKERS", "many")], "PATROLSYNC_WORKERS"),
    ] {
        let bad = check(text, &env)?;
        let stderr = String::from_utf8_lossy(&bad.stderr);
        assert!(!bad.status.success(), "{text:?} passed");
        assert!(stderr.contains(names), "{text:?}: {stderr}");
    }
    Ok(())
}
