//! Logins under attack, end to end: a per-address limit answered with 429 and `Retry-After`, at
//! most N failed logins per account per hour that never keep the officer out on their own phone,
//! unknown users answered exactly like wrong passwords, and stored hashes outside the accepted
//! range refused. A raised cost, which takes a restart, is in `process/auth_limits.rs`.

use anyhow::Result;
use patrolsync_server::store::sql::Sql;
use patrolsync_tests::DEMO_PASSWORD;
use patrolsync_tests::app::{TestApp, spawn_app};
use patrolsync_tests::raw::RawDevice;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A login as `user` with `password` from a new device identity: status, `Retry-After` and body.
async fn try_login(server: &TestApp, user: &str, password: &str) -> Result<(StatusCode, Option<u64>, Value)> {
    let response = RawDevice::new(&server.url(), "vo-t01-v01")?.try_login(user, password).await?;
    let status = response.status();
    let retry = response.headers().get("retry-after").and_then(|v| v.to_str().ok()?.parse().ok());
    Ok((status, retry, response.json().await?))
}

#[tokio::test]
async fn the_auth_routes_answer_429_with_retry_after_past_the_per_address_limit() -> Result<()> {
    let server = TestApp::spawn(&[("PATROLSYNC_AUTH_PER_IP_PER_MINUTE", "6"), ("PATROLSYNC_AUTH_PER_IP_BURST", "3")])?;
    for _ in 0..3 {
        assert_eq!(try_login(&server, "vo-t01-v01", "wrong password").await?.0, StatusCode::UNAUTHORIZED);
    }
    let (status, retry, body) = try_login(&server, "vo-t01-v01", DEMO_PASSWORD).await?;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"]["code"], "too_many_requests");
    assert!(retry.is_some_and(|s| (1..=10).contains(&s)), "one request per 10 s: Retry-After {retry:?}");
    let refresh =
        reqwest::Client::new().post(format!("{}/v1/auth/refresh", server.url())).json(&json!({"refresh_token": "x"})).send().await?;
    assert_eq!(refresh.status(), StatusCode::TOO_MANY_REQUESTS, "refresh shares the limit");
    let health = reqwest::get(format!("{}/healthz", server.url())).await?;
    assert_eq!(health.status(), StatusCode::OK, "other routes are not limited");
    Ok(())
}

#[tokio::test]
async fn failed_logins_per_account_are_capped_but_the_officers_own_phone_still_gets_in() -> Result<()> {
    let server = TestApp::spawn(&[("PATROLSYNC_AUTH_THROTTLE_FAILURES_PER_HOUR", "5")])?;
    // The officer's phone has logged in before: its identity is enrolled.
    let mut phone = RawDevice::new(&server.url(), "vo-t01-v01")?;
    phone.login(DEMO_PASSWORD).await?;
    // A stranger spends the account's budget of failures.
    let started = std::time::Instant::now();
    for _ in 0..5 {
        assert_eq!(try_login(&server, "vo-t01-v01", "guess").await?.0, StatusCode::UNAUTHORIZED);
    }
    assert!(started.elapsed().as_millis() >= 250 + 500, "the fourth and fifth guesses waited");
    let (status, retry, body) = try_login(&server, "vo-t01-v01", "guess").await?;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(retry.is_some_and(|s| s > 3_000 && s <= 3_600), "until the first failure is an hour old: {retry:?}");
    let (status, ..) = try_login(&server, "vo-t01-v01", DEMO_PASSWORD).await?;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "even the right password, from an unproven device, waits");
    // The officer's own phone proves it holds its key: its own budget, so it is not locked out.
    phone.login(DEMO_PASSWORD).await?;
    // Another account is untouched.
    assert_eq!(try_login(&server, "vo-t01-v02", DEMO_PASSWORD).await?.0, StatusCode::OK);
    Ok(())
}

#[tokio::test]
async fn an_unknown_user_and_a_wrong_password_get_the_same_answer() -> Result<()> {
    let server = TestApp::spawn(&[("PATROLSYNC_AUTH_THROTTLE_FAILURES_PER_HOUR", "3")])?;
    let long = "x".repeat(129);
    let answers = [
        try_login(&server, "vo-t01-v01", "wrong password").await?,
        try_login(&server, "no-such-user", "wrong password").await?,
        try_login(&server, "vo-t01-v02", &long).await?,
        try_login(&server, "NOT A VALID ID!", "wrong password").await?,
    ];
    for (status, retry, body) in &answers {
        assert_eq!((status, retry, body), (&answers[0].0, &answers[0].1, &answers[0].2), "identical status, headers and body");
    }
    assert_eq!(answers[0].0, StatusCode::UNAUTHORIZED);
    assert_eq!(answers[0].2["error"]["code"], "invalid_credentials");
    // Unknown names are throttled exactly like known ones, so the 429 tells nothing either.
    for _ in 0..2 {
        try_login(&server, "no-such-user", "wrong password").await?;
        try_login(&server, "vo-t01-v01", "wrong password").await?;
    }
    assert_eq!(try_login(&server, "no-such-user", "x").await?.0, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(try_login(&server, "vo-t01-v01", "x").await?.0, StatusCode::TOO_MANY_REQUESTS);
    Ok(())
}

#[tokio::test]
async fn a_stored_hash_outside_the_accepted_range_is_refused_even_with_the_right_password() -> Result<()> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let server = spawn_app()?;
    let weak = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, argon2::Params::new(1024, 1, 1, None)?);
    let salt = SaltString::encode_b64(b"sixteen byte salt")?;
    let phc = weak.hash_password(DEMO_PASSWORD.as_bytes(), &salt)?.to_string();
    let changed = server.sql()?.run("UPDATE users SET password_hash = ?1 WHERE id = 'vo-t01-v03'", patrolsync_server::args![&phc])?;
    assert_eq!(changed, 1, "a demo officer");
    assert!(argon2::PasswordVerifier::verify_password(&weak, DEMO_PASSWORD.as_bytes(), &argon2::PasswordHash::new(&phc)?).is_ok());
    let (status, _, body) = try_login(&server, "vo-t01-v03", DEMO_PASSWORD).await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "m=1024,t=1 is below the floor: {body}");
    assert_eq!(body["error"]["code"], "invalid_credentials");
    Ok(())
}
