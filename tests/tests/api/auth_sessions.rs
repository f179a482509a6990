//! Sessions end to end: refresh tokens rotate on every use and a reused one revokes the whole
//! session (with a short grace for a lost reply); logout, a disabled user and a revoked phone take
//! effect at the next request. Token keys, rotated by the server binary's command, are in
//! `process/auth_sessions.rs`.

use anyhow::Result;
use patrolsync_tests::app::{TestApp, spawn_app};
use patrolsync_tests::raw::RawDevice;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// `POST /v1/auth/refresh` with `token`: the status and the reply.
async fn refresh(d: &RawDevice, token: &str) -> Result<(StatusCode, Value)> {
    let response = d.http.post(format!("{}/v1/auth/refresh", d.url)).json(&json!({"refresh_token": token})).send().await?;
    Ok((response.status(), response.json().await?))
}

/// The status of an authenticated `GET /v1/flags` with `token`.
async fn flags_with(d: &RawDevice, token: &str) -> Result<StatusCode> {
    Ok(d.http.get(format!("{}/v1/flags", d.url)).bearer_auth(token).send().await?.status())
}

fn text(v: &Value, field: &str) -> Result<String> {
    v[field].as_str().map(str::to_owned).ok_or_else(|| anyhow::anyhow!("no {field} in {v}"))
}

#[tokio::test]
async fn a_refresh_rotates_the_token_and_a_spent_one_revokes_the_whole_session() -> Result<()> {
    let server = TestApp::spawn(&[("PATROLSYNC_AUTH_SESSIONS_REUSE_GRACE_S", "0")])?;
    let d = server.device("vo-t01-v01").await?;
    let first = d.refresh.clone().expect("a refresh token at login");
    let (status, reply) = refresh(&d, &first).await?;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let (access, second) = (text(&reply, "access_token")?, text(&reply, "refresh_token")?);
    assert_ne!(second, first, "rotated");
    assert_eq!(flags_with(&d, &access).await?, StatusCode::OK);
    let (status, reply) = refresh(&d, &second).await?;
    assert_eq!(status, StatusCode::OK);
    let (access, third) = (text(&reply, "access_token")?, text(&reply, "refresh_token")?);

    // Someone replays the first token: the session is revoked, for the rightful holder too.
    server.clock.advance(1_100);
    let (status, reply) = refresh(&d, &first).await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{reply}");
    assert!(text(&reply["error"], "message")?.contains("already used"), "{reply}");
    assert_eq!(refresh(&d, &third).await?.0, StatusCode::UNAUTHORIZED, "the newest token died with its session");
    assert_eq!(flags_with(&d, &access).await?, StatusCode::UNAUTHORIZED, "and so did its access token");
    let why: String = server.sql()?.value("SELECT revoked_why FROM sessions", &[])?;
    assert_eq!(why, "refresh_reused");

    // Garbage and the forged are simply unknown; a new login starts a new session.
    assert_eq!(refresh(&d, "not a token").await?.0, StatusCode::UNAUTHORIZED);
    let again = server.device("vo-t01-v01").await?;
    assert_eq!(flags_with(&again, again.token.as_deref().unwrap_or_default()).await?, StatusCode::OK);
    Ok(())
}

#[tokio::test]
async fn a_lost_reply_may_be_retried_within_the_grace_but_its_lost_successor_may_not_come_back() -> Result<()> {
    let server = spawn_app()?;
    let d = server.device("vo-t01-v01").await?;
    let first = d.refresh.clone().expect("refresh token");
    let (status, lost) = refresh(&d, &first).await?;
    assert_eq!(status, StatusCode::OK);
    // The reply never reached the phone, which tries again with the token it has.
    let (status, retried) = refresh(&d, &first).await?;
    assert_eq!(status, StatusCode::OK, "within the grace: {retried}");
    let (retried_access, retried_refresh) = (text(&retried, "access_token")?, text(&retried, "refresh_token")?);
    assert_eq!(flags_with(&d, &retried_access).await?, StatusCode::OK);
    assert_eq!(refresh(&d, &retried_refresh).await?.0, StatusCode::OK, "the retried chain goes on");
    // The lost successor turning up later is a copy: the session is revoked.
    assert_eq!(refresh(&d, &text(&lost, "refresh_token")?).await?.0, StatusCode::UNAUTHORIZED);
    assert_eq!(flags_with(&d, &retried_access).await?, StatusCode::UNAUTHORIZED);
    Ok(())
}

#[tokio::test]
async fn logout_ends_the_session_at_once_and_leaves_other_sessions_alone() -> Result<()> {
    let server = spawn_app()?;
    let d = server.device("vo-t01-v01").await?;
    let other = server.device("vo-t01-v01").await?;
    let token = d.token.clone().expect("token");
    let response = d.http.post(format!("{}/v1/auth/logout", d.url)).bearer_auth(&token).send().await?;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(flags_with(&d, &token).await?, StatusCode::UNAUTHORIZED, "the access token is dead before it expires");
    assert_eq!(refresh(&d, d.refresh.as_deref().unwrap_or_default()).await?.0, StatusCode::UNAUTHORIZED);
    assert_eq!(flags_with(&other, other.token.as_deref().unwrap_or_default()).await?, StatusCode::OK, "another phone stays in");
    let anonymous = d.http.post(format!("{}/v1/auth/logout", d.url)).send().await?;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    Ok(())
}

#[tokio::test]
async fn disabling_a_user_or_revoking_a_phone_takes_effect_at_the_next_request() -> Result<()> {
    let server = spawn_app()?;
    let user = server.device("vo-t01-v02").await?;
    let phone = server.device("vo-t01-v01").await?;
    let spare = server.device("vo-t01-v01").await?;
    for d in [&user, &phone, &spare] {
        assert_eq!(flags_with(d, d.token.as_deref().unwrap_or_default()).await?, StatusCode::OK);
    }
    let admin = server.device("admin").await?;
    let as_admin =
        |path: String| admin.http.post(format!("{}{path}", admin.url)).bearer_auth(admin.token.clone().unwrap_or_default()).send();
    assert_eq!(as_admin("/v1/admin/users/vo-t01-v02/disable".into()).await?.status(), StatusCode::OK);
    assert_eq!(as_admin(format!("/v1/admin/devices/{}/revoke", phone.device)).await?.status(), StatusCode::OK);
    assert_eq!(flags_with(&user, user.token.as_deref().unwrap_or_default()).await?, StatusCode::UNAUTHORIZED);
    assert_eq!(refresh(&user, user.refresh.as_deref().unwrap_or_default()).await?.0, StatusCode::UNAUTHORIZED);
    assert_eq!(flags_with(&phone, phone.token.as_deref().unwrap_or_default()).await?, StatusCode::UNAUTHORIZED, "the lost phone");
    assert_eq!(refresh(&phone, phone.refresh.as_deref().unwrap_or_default()).await?.0, StatusCode::UNAUTHORIZED);
    assert_eq!(flags_with(&spare, spare.token.as_deref().unwrap_or_default()).await?, StatusCode::OK, "the officer's other phone");
    // Undoing it does not bring the sessions back: they ended with the disable.
    assert_eq!(as_admin("/v1/admin/users/vo-t01-v02/enable".into()).await?.status(), StatusCode::OK);
    assert_eq!(flags_with(&user, user.token.as_deref().unwrap_or_default()).await?, StatusCode::UNAUTHORIZED);
    assert_eq!(refresh(&user, user.refresh.as_deref().unwrap_or_default()).await?.0, StatusCode::UNAUTHORIZED);
    let why: Vec<String> =
        server.sql()?.column("SELECT revoked_why FROM sessions WHERE revoked_at IS NOT NULL ORDER BY revoked_why", &[])?;
    assert_eq!(why, ["device_revoked", "user_disabled"]);
    assert!(server.device("vo-t01-v02").await?.token.is_some(), "a new login works");
    Ok(())
}
