//! Bad input gets a JSON error with a 4xx status and changes nothing in the store: tokens,
//! per-event rejections and login answers. The payload classes (sizes, bombs, nesting, encodings,
//! smuggling, slow clients) are in `hostile_input/`.

use anyhow::Result;
use patrolsync_tests::app::{TestApp, spawn_app};
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::snapshot::Snapshot;
use patrolsync_tests::{DEMO_PASSWORD, tracks};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sync_protocol::ids::ZoneId;
use sync_protocol::wire::{AckStatus, RejectReason};

/// Every table's rows, counted and digested: equal snapshots mean nothing was written.
fn snapshot(server: &TestApp) -> Snapshot {
    Snapshot::of(server).expect("snapshot")
}

async fn officer(server: &TestApp) -> Result<RawDevice> {
    let mut d = RawDevice::new(&server.url(), "vo-t01-v01")?;
    d.compress = false;
    d.login(DEMO_PASSWORD).await?;
    Ok(d)
}

fn error_code(body: &[u8]) -> String {
    let v: Value = serde_json::from_slice(body).unwrap_or_else(|_| panic!("error body is not JSON: {}", String::from_utf8_lossy(body)));
    v["error"]["code"].as_str().unwrap_or_else(|| panic!("no error.code in {v}")).to_string()
}

#[tokio::test]
async fn missing_bad_foreign_and_expired_tokens_get_401() -> Result<()> {
    let server = spawn_app()?;
    let mut d = officer(&server).await?;
    let before = snapshot(&server);
    let event = d.seal(&tracks::patrol(&ZoneId::new("Z-T01-V01")?, now_ms() as i64 - 3_600_000, 20, 1));
    let body = serde_json::to_vec(&json!({"events": [event], "hlc": d.hlc}))?;
    let now = chrono::Utc::now().timestamp();
    let sid = d.token_claims()?["sid"].clone();
    let claims = |exp: i64| json!({"sub": "vo-t01-v01", "dev": d.device.to_string(), "sid": sid, "iss": "patrolsync", "aud": "patrolsync-device", "typ": "access", "iat": exp - 900, "nbf": exp - 900, "exp": exp});
    let foreign = |claims: Value| {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
        (header.typ, header.kid) = (Some("at+jwt".into()), server.token_key().ok().map(|k| k.0));
        jsonwebtoken::encode(&header, &claims, &jsonwebtoken::EncodingKey::from_secret(b"someone else's secret, not ours!")).expect("token")
    };
    let tokens = [
        None,
        Some("not-a-jwt".to_string()),
        Some(foreign(claims(now + 600))),
        Some(server.forge_token(&claims(now - 3_600))?),
        Some(server.forge_token(&json!({"sub": "vo-t01-v01"}))?),
    ];
    for token in tokens {
        let mut request = d.http.post(format!("{}/v1/sync", server.url())).header("content-type", "application/json").body(body.clone());
        if let Some(t) = &token {
            request = request.bearer_auth(t);
        }
        let response = request.send().await?;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{token:?}");
        assert_eq!(error_code(&response.bytes().await?), "unauthenticated");
    }
    assert_eq!(snapshot(&server), before);
    // A valid token still works, so the refusals above were about the tokens.
    d.token = Some(server.forge_token(&claims(now + 600))?);
    assert_eq!(d.sync(&[event]).await?.acks[0].status, AckStatus::Accepted);
    Ok(())
}

#[tokio::test]
async fn out_of_range_coordinates_and_bad_events_are_rejected_per_event() -> Result<()> {
    let server = spawn_app()?;
    let mut d = officer(&server).await?;
    let start = now_ms() as i64 - 3_600_000;
    let mut patrol = tracks::patrol(&ZoneId::new("Z-T01-V01")?, start, 20, 1).to_value();
    patrol["track"][0][2] = json!(950_000_000);
    let out_of_range = d.seal_value("patrol.recorded", patrol.clone());
    patrol["track"][3][2] = json!(1e300);
    let float_value = serde_json::to_value(d.seal_value("patrol.recorded", json!({"v": 1})))?;
    let mut float_event = float_value.clone();
    float_event["body"] = patrol;
    let before = snapshot(&server);
    let r = d.sync_values(vec![serde_json::to_value(&out_of_range)?, float_event, json!("not an event"), json!({"id": 5})]).await?;
    let got: Vec<_> = r.acks.iter().map(|a| (a.status, a.reason)).collect();
    assert_eq!(
        got,
        vec![
            (AckStatus::Rejected, Some(RejectReason::InvalidBody)),
            (AckStatus::Rejected, Some(RejectReason::Malformed)),
            (AckStatus::Rejected, Some(RejectReason::Malformed)),
            (AckStatus::Rejected, Some(RejectReason::Malformed)),
        ]
    );
    // The invalid body is kept as rejected evidence in its place in the chain (and is the
    // device's new head); the rest is quarantined, and all four are leaves of the tamper-evident log. Nothing reaches the read model or the routes.
    let changed = snapshot(&server).changes_since(&before);
    assert_eq!(
        changed,
        [("devices".to_string(), 0), ("events".to_string(), 1), ("merkle_leaves".to_string(), 4), ("quarantine".to_string(), 3)].into()
    );
    Ok(())
}

#[tokio::test]
async fn wrong_passwords_and_unknown_users_get_the_same_answer() -> Result<()> {
    let server = spawn_app()?;
    let before = snapshot(&server);
    let mut answers = Vec::new();
    for (user, password) in [("vo-t01-v01", "wrong password"), ("no-such-user", DEMO_PASSWORD), ("../etc", DEMO_PASSWORD)] {
        let mut d = RawDevice::new(&server.url(), "vo-t01-v01")?;
        let request = json!({"username": user, "password": password, "device": {"device_id": d.device, "public_key": d.key.public()}});
        d.compress = false;
        let (status, body) = d.post("/v1/auth/login", &serde_json::to_vec(&request)?).await?;
        answers.push((status, String::from_utf8_lossy(&body).to_string()));
    }
    assert!(answers.iter().all(|a| a == &answers[0]), "{answers:?}");
    assert_eq!(answers[0].0, StatusCode::UNAUTHORIZED);
    // Each failed login is an entry of the access log (docs/people.md), and nothing else.
    assert_eq!(snapshot(&server).changes_since(&before), [("access_log".to_string(), 3)].into());
    Ok(())
}
