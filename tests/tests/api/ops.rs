//! Operations: `GET /metrics` (what it counts, and who may read it). The request log, which the
//! server prints, and `patrolsync-server config check` are in `process/ops.rs`.

use anyhow::Result;
use patrolsync_tests::app::{TestApp, spawn_app};
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::{DEMO_PASSWORD, tracks};
use reqwest::StatusCode;
use sync_protocol::ids::ZoneId;

async fn metrics(url: &str, token: Option<&str>) -> Result<(StatusCode, String)> {
    let mut request = reqwest::Client::new().get(format!("{url}/metrics"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await?;
    Ok((response.status(), response.text().await?))
}

/// The value of the sample `name{labels}` (0 when absent).
fn sample(text: &str, series: &str) -> f64 {
    text.lines().find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok()).unwrap_or(0.0)
}

#[tokio::test]
async fn metrics_count_syncs_events_logins_and_the_writer() -> Result<()> {
    let server = spawn_app()?;
    let url = server.url();
    let mut officer = RawDevice::new(&url, "vo-t01-v01")?;
    officer.login(DEMO_PASSWORD).await?;
    let mut wrong = RawDevice::new(&url, "vo-t01-v02")?;
    assert!(wrong.login("not the password").await.is_err());
    let patrol = officer.seal(&tracks::patrol(&ZoneId::new("Z-T01-V01")?, now_ms() as i64 - 3_600_000, 20, 1));
    officer.sync(std::slice::from_ref(&patrol)).await?;
    officer.sync(&[patrol]).await?;
    let mut forged = officer.seal(&tracks::patrol(&ZoneId::new("Z-T01-V01")?, now_ms() as i64 - 1_800_000, 20, 2));
    forged.body["summary"] = serde_json::json!("edited after signing");
    officer.sync(&[forged]).await?;

    let (status, text) = metrics(&url, None).await?;
    assert_eq!(status, StatusCode::OK, "open on loopback");
    assert_eq!(sample(&text, r#"patrolsync_http_requests_total{method="POST",route="/v1/sync",status="200"}"#), 3.0, "{text}");
    assert!(sample(&text, r#"patrolsync_http_request_duration_seconds_count{method="POST",route="/v1/sync"}"#) >= 3.0);
    assert_eq!(sample(&text, r#"patrolsync_events_total{outcome="accepted",reason=""}"#), 1.0, "{text}");
    assert_eq!(sample(&text, r#"patrolsync_events_total{outcome="duplicate",reason=""}"#), 1.0);
    assert_eq!(sample(&text, r#"patrolsync_events_total{outcome="rejected",reason="bad_hash"}"#), 1.0);
    assert_eq!(sample(&text, r#"patrolsync_logins_total{outcome="ok"}"#), 1.0);
    assert_eq!(sample(&text, r#"patrolsync_logins_total{outcome="failed"}"#), 1.0);
    assert!(sample(&text, r#"patrolsync_writer_commits_total{outcome="ok"}"#) >= 3.0, "{text}");
    assert!(sample(&text, "patrolsync_writer_batch_jobs_count") >= 3.0);
    assert_eq!(sample(&text, "patrolsync_writer_up"), 1.0);
    assert!(text.contains("patrolsync_writer_queue_depth "), "{text}");
    assert_eq!(sample(&text, r#"patrolsync_flags_raised_total{kind="tampering:bad_hash"}"#), 1.0, "{text}");
    assert_eq!(sample(&text, r#"patrolsync_http_requests_total{method="GET",route="/v1/blobs/{sha256}",status="401"}"#), 0.0);
    Ok(())
}

#[tokio::test]
async fn off_loopback_the_metrics_are_for_admins_only() -> Result<()> {
    let server = TestApp::spawn(&[("PATROLSYNC_METRICS_LOOPBACK", "false")])?;
    let url = server.url();
    assert_eq!(metrics(&url, None).await?.0, StatusCode::UNAUTHORIZED);
    let mut officer = RawDevice::new(&url, "vo-t01-v01")?;
    officer.login(DEMO_PASSWORD).await?;
    assert_eq!(metrics(&url, officer.token.as_deref()).await?.0, StatusCode::FORBIDDEN);
    let mut admin = RawDevice::new(&url, "admin")?;
    admin.login(DEMO_PASSWORD).await?;
    let (status, text) = metrics(&url, admin.token.as_deref()).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("patrolsync_logins_total"), "{text}");
    Ok(())
}
