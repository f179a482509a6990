//! People administration end to end, on the real server: an admin resets a password to a
//! one-time password, the officer's phone logs in with it and is made to choose a new one, then
//! changes it again with `patrol-device passwd`; every change is an event naming who made it and
//! holding no secret; the access log shows logins, failed logins and password changes to the
//! county's roles and to no one else.

use anyhow::{Context, Result};
use patrolsync_server::args;
use patrolsync_tests::DEMO_PASSWORD;
use patrolsync_tests::app::{TestApp, spawn_app};
use patrolsync_tests::device::DeviceCli;
use patrolsync_tests::raw::RawDevice;
use serde_json::{Value, json};

/// An admin's request with a bearer token: (status, JSON body).
async fn call(server: &TestApp, token: &str, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<(u16, Value)> {
    let mut request = reqwest::Client::new().request(method, format!("{}{path}", server.url())).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await?;
    let status = response.status().as_u16();
    let text = response.text().await?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::String(text))))
}

async fn token(server: &TestApp, user: &str, password: &str) -> Result<String> {
    let mut phone = RawDevice::new(&server.url(), user)?;
    Ok(phone.login(password).await.with_context(|| format!("{user} logs in"))?.access_token)
}

/// Every stored event of `kind`, as its raw JSON.
fn events(server: &TestApp, kind: &str) -> Result<Vec<Value>> {
    let raws: Vec<String> = server.sql()?.column("SELECT raw FROM events WHERE kind = ?1 ORDER BY server_seq", args![kind])?;
    raws.iter().map(|r| Ok(serde_json::from_str(r)?)).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reset_password_is_one_time_and_the_phone_must_replace_it() -> Result<()> {
    let server = spawn_app()?;
    let admin = token(&server, "admin", DEMO_PASSWORD).await?;
    let (status, reply) = call(&server, &admin, reqwest::Method::POST, "/v1/admin/users/vo-t01-v01/reset-password", None).await?;
    assert_eq!(status, 200, "{reply}");
    let otp = reply["one_time_password"].as_str().context("a one-time password")?.to_owned();
    assert_eq!(otp.len(), 12);

    // The old password no longer works; the one-time password alone gives no token.
    let mut raw = RawDevice::new(&server.url(), "vo-t01-v01")?;
    assert!(raw.login(DEMO_PASSWORD).await.is_err(), "the old password is gone");
    let refused = raw.login(&otp).await.expect_err("a one-time password alone gives no token");
    assert!(refused.to_string().contains("password_change_required"), "{refused:#}");

    // A new phone logs in with it and is asked for a new password (the next line of its input).
    let dir = tempfile::tempdir()?;
    let phone = DeviceCli::new(dir.path().join("phone.db"));
    let args = ["login", "--server", &server.url(), "--user", "vo-t01-v01", "--password-stdin"];
    let short = phone.output_with_input(&args, &format!("{otp}\nshort\n"))?;
    assert!(!short.status.success(), "a new password under 8 characters is refused");
    assert!(String::from_utf8_lossy(&short.stderr).contains("new_password_refused"), "{}", String::from_utf8_lossy(&short.stderr));
    let out = phone.output_with_input(&args, &format!("{otp}\nmy own password 1\n"))?;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("一次性密码"), "the phone says why it asks");
    assert!(String::from_utf8_lossy(&out.stdout).contains("password changed (密码已修改)"));
    assert!(RawDevice::new(&server.url(), "vo-t01-v01")?.login(&otp).await.is_err(), "the one-time password is spent");
    phone.run(&["sync"])?;

    // The officer changes it again on the phone; a wrong current password changes nothing.
    let wrong = phone.output_with_input(&["passwd"], "not my password\nanother password 2\n")?;
    assert!(!wrong.status.success());
    let out = phone.output_with_input(&["passwd"], "my own password 1\nanother password 2\n")?;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    token(&server, "vo-t01-v01", "another password 2").await?;

    // Each change is an event naming who made it, and none holds a secret.
    let resets = events(&server, "password.reset")?;
    assert_eq!(resets.len(), 1);
    assert_eq!(resets[0]["body"], json!({"v": 1, "user": "vo-t01-v01", "by": "admin", "one_time": true}));
    let changes = events(&server, "password.changed")?;
    assert_eq!(changes.len(), 2, "at the first login and with passwd");
    for e in resets.iter().chain(&changes) {
        let text = e.to_string();
        for secret in [otp.as_str(), "my own password 1", "another password 2", "$argon2"] {
            assert!(!text.contains(secret), "an event holds no secret: {text}");
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn admins_enrol_and_change_people_as_events_naming_them() -> Result<()> {
    let server = spawn_app()?;
    let admin = token(&server, "admin", DEMO_PASSWORD).await?;
    let new = json!({"user": "vo-t01-v09", "display_name": "Zeng Liping 曾丽萍", "role": "village_officer", "units": ["T01-V01"],
                     "phone": "139 0797 0009", "zone": "Z-T01-V01"});
    let (status, reply) = call(&server, &admin, reqwest::Method::POST, "/v1/admin/users", Some(new.clone())).await?;
    assert_eq!(status, 201, "{reply}");
    assert_eq!(reply["events"].as_array().map(Vec::len), Some(2), "enrolled and assigned: {reply}");
    let otp = reply["one_time_password"].as_str().context("a one-time password")?.to_owned();
    let (status, again) = call(&server, &admin, reqwest::Method::POST, "/v1/admin/users", Some(new)).await?;
    assert_eq!((status, again["error"]["code"].as_str()), (409, Some("user_exists")));
    // Units that do not fit the role are refused, and change nothing.
    let before = server.row_counts()?;
    let misplaced = json!({"user": "ti-x", "display_name": "x", "role": "township_inspector", "units": ["T01-V01"]});
    let (status, reply) = call(&server, &admin, reqwest::Method::POST, "/v1/admin/users", Some(misplaced)).await?;
    assert_eq!((status, reply["error"]["code"].as_str()), (409, Some("role_units_mismatch")), "{reply}");
    assert_eq!(server.row_counts()?, before);

    let (status, reply) =
        call(&server, &admin, reqwest::Method::PATCH, "/v1/admin/users/vo-t01-v09", Some(json!({"display_name": "曾丽萍"}))).await?;
    assert_eq!(status, 200, "{reply}");
    let changed = events(&server, "user.changed")?;
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0]["body"]["by"], "admin");
    assert_eq!(changed[0]["body"]["phone"], "139 0797 0009", "what is not given stays");
    let enrolled = events(&server, "user.enrolled")?;
    assert_eq!(enrolled.last().map(|e| e["body"]["by"].clone()), Some(json!("admin")));
    // The new officer's one-time password must be replaced at their first login.
    let refused = RawDevice::new(&server.url(), "vo-t01-v09")?.login(&otp).await.expect_err("one-time");
    assert!(refused.to_string().contains("password_change_required"), "{refused:#}");

    // Made a township inspector, the officer keeps no zone: the assignment ends, in the admin's name.
    let promoted = json!({"role": "township_inspector", "units": ["T01"]});
    let (status, reply) = call(&server, &admin, reqwest::Method::PATCH, "/v1/admin/users/vo-t01-v09", Some(promoted)).await?;
    assert_eq!(status, 200, "{reply}");
    let ended: Vec<Value> = events(&server, "assignment.set")?.into_iter().filter(|e| e["body"]["officer"] == "vo-t01-v09").collect();
    assert_eq!(ended.len(), 2, "assigned, then ended: {ended:?}");
    assert_eq!((ended[1]["body"].get("zone").cloned().unwrap_or(Value::Null), &ended[1]["body"]["by"]), (Value::Null, &json!("admin")));
    let current: Option<String> = server
        .sql()?
        .value("SELECT zone FROM assignments WHERE officer = 'vo-t01-v09' ORDER BY valid_from DESC, server_seq DESC LIMIT 1", &[])?;
    assert_eq!(current, None, "no current zone");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_access_log_shows_logins_failures_and_changes_to_county_roles_only() -> Result<()> {
    let server = spawn_app()?;
    assert!(RawDevice::new(&server.url(), "vo-t01-v02")?.login("not the password").await.is_err());
    assert!(RawDevice::new(&server.url(), "nobody-at-all")?.login("not the password").await.is_err());
    let officer = token(&server, "vo-t01-v02", DEMO_PASSWORD).await?;
    let change = json!({"current_password": DEMO_PASSWORD, "new_password": "a fresh password"});
    let (status, reply) = call(&server, &officer, reqwest::Method::POST, "/v1/auth/password", Some(change)).await?;
    assert_eq!(status, 200, "{reply}");

    for (user, allowed) in [("ca-1", true), ("cm-1", true), ("admin", true), ("ti-t01-1", false), ("vo-t01-v01", false)] {
        let t = token(&server, user, DEMO_PASSWORD).await?;
        let (status, log) = call(&server, &t, reqwest::Method::GET, "/v1/audit/access?username=vo-t01-v02", None).await?;
        if !allowed {
            assert_eq!(status, 403, "{user}: {log}");
            continue;
        }
        assert_eq!(status, 200, "{user}: {log}");
        let kinds: Vec<&str> = log["entries"].as_array().context("entries")?.iter().filter_map(|e| e["kind"].as_str()).collect();
        assert_eq!(kinds, ["login_failed", "login", "password_changed"], "{user}: {log}");
        assert_eq!(log["entries"][0]["detail"], "wrong_credentials");
        assert!(!log.to_string().contains(DEMO_PASSWORD) && !log.to_string().contains("a fresh password"), "no secret in the log");
    }
    let ca = token(&server, "ca-1", DEMO_PASSWORD).await?;
    let (_, unknown) = call(&server, &ca, reqwest::Method::GET, "/v1/audit/access?username=nobody-at-all", None).await?;
    assert_eq!(unknown["entries"][0]["kind"], "login_failed", "a failed login of no user is logged as typed: {unknown}");
    Ok(())
}
