//! Token keys through the real server binary: `rotate-token-key` beside a running server makes it
//! sign new tokens with the new key while tokens of the old one stay valid, and a key file others
//! can read stops the server from starting. Sessions run in-process (`api/auth_sessions.rs`).

use anyhow::{Result, ensure};
use patrolsync_tests::DEMO_PASSWORD;
use patrolsync_tests::app::TestApp;
use patrolsync_tests::raw::RawDevice;
use patrolsync_tests::server::{TestServer, server_binary};
use reqwest::StatusCode;
use serde_json::Value;
use std::time::Duration;

#[tokio::test]
async fn a_rotated_key_signs_new_tokens_while_old_ones_stay_valid() -> Result<()> {
    let server = TestApp::spawn(&[("PATROLSYNC_AUTH_KEY_RELOAD_S", "1")])?;
    let d = server.device("vo-t01-v01").await?;
    let old_kid = server.token_key()?.0;
    let out = std::process::Command::new(server_binary()).args(["rotate-token-key", "--db"]).arg(server.db()).output()?;
    ensure!(out.status.success(), "rotate: {}", String::from_utf8_lossy(&out.stderr));
    let new_kid = server.token_key()?.0;
    assert_ne!(new_kid, old_kid);
    let header = |token: &str| -> Result<Value> {
        use base64::Engine;
        let part = token.split('.').next().unwrap_or_default();
        Ok(serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part)?)?)
    };
    assert_eq!(header(d.token.as_deref().unwrap_or_default())?["kid"], old_kid.as_str());
    let mut fresh = RawDevice::new(&server.url(), "vo-t01-v01")?;
    let mut signed_by_new = false;
    for _ in 0..50 {
        if header(&fresh.login(DEMO_PASSWORD).await?.access_token)?["kid"] == new_kid.as_str() {
            signed_by_new = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(signed_by_new, "the running server signs with the rotated key within its reload interval");
    assert_eq!(fresh.flags("").await?.0, StatusCode::OK, "a token of the new key");
    assert_eq!(d.flags("").await?.0, StatusCode::OK, "a token of the old key");
    Ok(())
}

#[test]
fn a_token_key_file_others_can_read_stops_the_server_from_starting() -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mut server = TestServer::start()?;
    let file = server.dir.path().join("token-keys.json");
    assert_eq!(std::fs::metadata(&file)?.permissions().mode() & 0o777, 0o600, "made private on first start");
    server.kill();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644))?;
    let out = std::process::Command::new(server_binary()).args(["serve", "--bind", "127.0.0.1:0", "--db"]).arg(server.db()).output()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("chmod 600"), "{stderr}");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
    server.restart()?;
    Ok(())
}
