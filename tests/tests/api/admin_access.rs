//! Disabling a user and revoking a device (issue 6 point 3): the admin routes take effect on the
//! very next request of a token that is still valid, re-enabling works, only an admin may do it,
//! and each change is an event signed by the server, kept in the log as the audit trail.

use anyhow::Result;
use patrolsync_tests::DEMO_PASSWORD;
use patrolsync_tests::app::{TestApp, spawn_app};
use patrolsync_tests::raw::RawDevice;
use reqwest::StatusCode;
use serde_json::Value;
use sync_protocol::event::Event;

/// POSTs to an admin route with no body; returns the status and the JSON reply.
async fn admin_post(d: &RawDevice, path: &str) -> Result<(StatusCode, Value)> {
    let (status, body) = d.post(path, b"").await?;
    Ok((status, serde_json::from_slice(&body).unwrap_or(Value::Null)))
}

/// The status of a pull with the device's current token.
async fn pull_status(d: &RawDevice) -> Result<StatusCode> {
    let request = serde_json::json!({ "events": [], "cursors": {}, "limit": 1, "hlc": d.hlc });
    Ok(d.post("/v1/sync", &serde_json::to_vec(&request)?).await?.0)
}

/// The access records in the log, as the county pulls them.
async fn access_events(server: &TestApp) -> Result<Vec<Event>> {
    let mut auditor = server.device("ca-1").await?;
    let all = auditor.pull_all().await?;
    Ok(all.into_iter().filter(|e| matches!(e.kind.as_str(), "user.disabled" | "user.enabled" | "device.revoked")).collect())
}

#[tokio::test]
async fn a_revoked_phone_is_refused_on_its_next_request_and_the_officers_other_phone_is_not() -> Result<()> {
    let server = spawn_app()?;
    let admin = server.device("admin").await?;
    let lost = server.device("vo-t01-v01").await?;
    let kept = server.device("vo-t01-v01").await?;
    assert_eq!(pull_status(&lost).await?, StatusCode::OK);

    let (status, reply) = admin_post(&admin, &format!("/v1/admin/devices/{}/revoke", lost.device)).await?;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert!(reply["event"].is_string(), "{reply}");
    assert_eq!(pull_status(&lost).await?, StatusCode::UNAUTHORIZED, "the token is still unexpired, the phone is refused");
    let (status, _) = lost.projection().await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(pull_status(&kept).await?, StatusCode::OK, "the officer's other phone goes on");

    let mut again = RawDevice::new(&server.url(), "vo-t01-v01")?;
    (again.device, again.key) = (lost.device, lost.key.clone());
    let err = again.login(DEMO_PASSWORD).await.expect_err("a revoked phone cannot log in again");
    assert!(err.to_string().contains("403") && err.to_string().contains("device_revoked"), "{err}");

    // Revoking twice records nothing new.
    let (status, reply) = admin_post(&admin, &format!("/v1/admin/devices/{}/revoke", lost.device)).await?;
    assert_eq!((status, reply["event"].clone()), (StatusCode::OK, Value::Null));
    let log = access_events(&server).await?;
    assert_eq!(log.len(), 1);
    assert_eq!((log[0].author.as_str(), log[0].body["by"].as_str()), ("system", Some("admin")));
    assert_eq!(log[0].body["device"], serde_json::json!(lost.device));
    Ok(())
}

#[tokio::test]
async fn a_disabled_user_is_refused_at_once_and_logs_in_again_once_enabled() -> Result<()> {
    let server = spawn_app()?;
    let admin = server.device("admin").await?;
    let inspector = server.device("ti-t01-1").await?;
    assert_eq!(pull_status(&inspector).await?, StatusCode::OK);

    let (status, reply) = admin_post(&admin, "/v1/admin/users/ti-t01-1/disable").await?;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(pull_status(&inspector).await?, StatusCode::UNAUTHORIZED, "refused on the very next request");
    let err = server.device("ti-t01-1").await.err().expect("a disabled user cannot log in");
    assert!(err.to_string().contains("401") && err.to_string().contains("invalid_credentials"), "{err}");

    let (status, reply) = admin_post(&admin, "/v1/admin/users/ti-t01-1/enable").await?;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(pull_status(&inspector).await?, StatusCode::UNAUTHORIZED, "the old session ended with the disable");
    let fresh = server.device("ti-t01-1").await?;
    assert_eq!(pull_status(&fresh).await?, StatusCode::OK);

    // Enabling an enabled user records nothing; the log holds the two changes, signed by the server.
    let (_, reply) = admin_post(&admin, "/v1/admin/users/ti-t01-1/enable").await?;
    assert_eq!(reply["event"], Value::Null);
    let kinds: Vec<(String, Value, Value)> =
        access_events(&server).await?.into_iter().map(|e| (e.kind, e.body["user"].clone(), e.body["by"].clone())).collect();
    assert_eq!(
        kinds,
        vec![
            ("user.disabled".to_owned(), Value::from("ti-t01-1"), Value::from("admin")),
            ("user.enabled".to_owned(), Value::from("ti-t01-1"), Value::from("admin")),
        ]
    );
    let stored: bool = server.sql()?.value("SELECT disabled FROM users WHERE id = 'ti-t01-1'", &[])?;
    assert!(!stored);
    Ok(())
}

#[tokio::test]
async fn only_an_admin_changes_access_and_not_every_change_is_allowed() -> Result<()> {
    let server = spawn_app()?;
    let admin = server.device("admin").await?;
    let auditor = server.device("ca-1").await?;
    let server_device: Vec<u8> = server.sql()?.value("SELECT id FROM devices WHERE user_id = 'system'", &[])?;
    let server_device = uuid::Uuid::from_slice(&server_device)?;
    let disabled =
        |server: &TestApp| -> Result<Vec<String>> { server.sql()?.column("SELECT id FROM users WHERE disabled = TRUE ORDER BY id", &[]) };
    let disabled_before = disabled(&server)?;
    let table = [
        (&admin, format!("/v1/admin/devices/{server_device}/revoke"), StatusCode::NOT_FOUND),
        (&auditor, "/v1/admin/users/vo-t01-v01/disable".to_owned(), StatusCode::FORBIDDEN),
        (&auditor, format!("/v1/admin/devices/{}/revoke", admin.device), StatusCode::FORBIDDEN),
        (&admin, "/v1/admin/users/nobody-here/disable".to_owned(), StatusCode::NOT_FOUND),
        (&admin, "/v1/admin/users/system/disable".to_owned(), StatusCode::NOT_FOUND),
        (&admin, "/v1/admin/users/not%20a%20slug/disable".to_owned(), StatusCode::BAD_REQUEST),
        (&admin, "/v1/admin/users/admin/disable".to_owned(), StatusCode::CONFLICT),
        (&admin, "/v1/admin/devices/0192f0c1-0000-7000-8000-000000000000/revoke".to_owned(), StatusCode::NOT_FOUND),
        (&admin, "/v1/admin/devices/not-a-uuid/revoke".to_owned(), StatusCode::BAD_REQUEST),
    ];
    for (who, path, expected) in table {
        let (status, reply) = admin_post(who, &path).await?;
        assert_eq!(status, expected, "{} {path}: {reply}", who.user);
    }
    let (status, _) = RawDevice::new(&server.url(), "admin")?.post("/v1/admin/users/vo-t01-v01/disable", b"").await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(access_events(&server).await?.is_empty(), "nothing refused was recorded");
    assert_eq!(disabled(&server)?, disabled_before);
    Ok(())
}

#[tokio::test]
async fn an_admin_does_it_from_the_device_cli() -> Result<()> {
    let server = spawn_app()?;
    let dir = tempfile::tempdir()?;
    let cli = patrolsync_tests::device::DeviceCli::new(dir.path().join("admin-phone.db"));
    cli.login(&server.url(), "admin", DEMO_PASSWORD)?;
    let officer = server.device("vo-t01-v02").await?;

    let reply: Value = serde_json::from_str(&cli.run(&["admin", "disable-user", "--user", "vo-t01-v02"])?)?;
    assert!(reply["event"].is_string(), "{reply}");
    assert_eq!(pull_status(&officer).await?, StatusCode::UNAUTHORIZED);
    cli.run(&["admin", "enable-user", "--user", "vo-t01-v02"])?;
    assert_eq!(pull_status(&officer).await?, StatusCode::UNAUTHORIZED, "the session ended with the disable");
    let officer = server.device("vo-t01-v02").await?;
    assert_eq!(pull_status(&officer).await?, StatusCode::OK, "a new login works");
    cli.run(&["admin", "revoke-device", "--device", &officer.device.to_string()])?;
    assert_eq!(pull_status(&officer).await?, StatusCode::UNAUTHORIZED);

    // Refused answers are errors (exit code 1), not silent: an officer is not an admin.
    let officer_cli = patrolsync_tests::device::DeviceCli::new(dir.path().join("officer-phone.db"));
    officer_cli.login(&server.url(), "vo-t01-v01", DEMO_PASSWORD)?;
    let out = officer_cli.output(&["admin", "disable-user", "--user", "vo-t01-v02"])?;
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("403 forbidden"), "{stderr}");
    Ok(())
}
