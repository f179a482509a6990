//! Fields the server owns, sent by a client, are refused with a clear error and never stored:
//! in the sync request (`server_seq`, `acks`, `buckets`…), in an event's envelope (`accepted`,
//! `received_at`…), in an event's body (check results, flags, verdicts), in a login (`role`,
//! `units`) and in admin requests. The store is read after each attempt.

use anyhow::Result;
use patrolsync_server::args;
use patrolsync_server::store::sql::Sql;
use patrolsync_tests::app::spawn_app;
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::{DEMO_PASSWORD, tracks};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sync_protocol::body::{FindingKind, Mineral};
use sync_protocol::ids::ZoneId;
use sync_protocol::wire::{AckStatus, RejectReason};

fn code(body: &[u8]) -> String {
    serde_json::from_slice::<Value>(body).map(|v| v["error"]["code"].as_str().unwrap_or_default().to_owned()).unwrap_or_default()
}

#[tokio::test]
async fn server_owned_fields_in_requests_are_refused_and_change_nothing() -> Result<()> {
    let server = spawn_app()?;
    let officer = server.device("vo-t01-v01").await?;
    let admin = server.device("admin").await?;
    let before = server.row_counts()?;
    let http = reqwest::Client::new();

    // A login that claims a role, units or an enabled account: the server reads those from its store.
    let fresh = RawDevice::new(&server.url(), "vo-t01-v02")?;
    let device = json!({ "device_id": fresh.device, "public_key": fresh.key.public(), "label": "x" });
    for (field, value) in [("role", json!("admin")), ("units", json!(["county"])), ("disabled", json!(false)), ("user", json!("admin"))] {
        let mut login = json!({ "username": "vo-t01-v02", "password": DEMO_PASSWORD, "device": device });
        login[field] = value;
        let response = http.post(format!("{}/v1/auth/login", server.url())).json(&login).send().await?;
        let (status, body) = (response.status(), response.bytes().await?);
        assert_eq!((status, code(&body).as_str()), (StatusCode::BAD_REQUEST, "malformed_request"), "login with {field}");
    }
    let mut login = json!({ "username": "vo-t01-v02", "password": DEMO_PASSWORD, "device": device });
    login["device"]["revoked"] = json!(false);
    let status = http.post(format!("{}/v1/auth/login", server.url())).json(&login).send().await?.status();
    assert_eq!(status, StatusCode::BAD_REQUEST, "a device enrolment with revoked");

    // A sync request carrying what only the server answers.
    let hlc = officer.hlc.to_string();
    for (field, value) in [
        ("server_seq", json!(1)),
        ("acks", json!([])),
        ("buckets", json!(["county"])),
        ("next_seq", json!(1)),
        ("purge", json!([])),
        ("scope", json!(["county"])),
    ] {
        let mut request = json!({ "events": [], "cursors": {}, "hlc": hlc });
        request[field] = value;
        let (status, body) = officer.post("/v1/sync", &serde_json::to_vec(&request)?).await?;
        assert_eq!((status, code(&body).as_str()), (StatusCode::BAD_REQUEST, "malformed_request"), "sync with {field}");
    }

    // An assignment that names its own event, author or sequence.
    for (field, value) in [("event", json!("0192f0c1-7a3b-7c00-8000-000000000001")), ("author", json!("ca-1")), ("server_seq", json!(1))] {
        let mut request = json!({ "officer": "vo-t03-v01", "zone": "Z-T03-V01", "from": now_ms() });
        request[field] = value;
        let (status, body) = admin.post("/v1/admin/assignments", &serde_json::to_vec(&request)?).await?;
        assert_eq!((status, code(&body).as_str()), (StatusCode::BAD_REQUEST, "malformed_request"), "assignment with {field}");
    }
    assert_eq!(server.row_counts()?, before, "nothing was written");
    let role: String = server.sql()?.value("SELECT role FROM users WHERE id = 'vo-t01-v02'", &[])?;
    assert_eq!(role, "village_officer");
    Ok(())
}

#[tokio::test]
async fn server_owned_fields_in_events_never_reach_the_data() -> Result<()> {
    let server = spawn_app()?;
    let mut officer = server.device("vo-t01-v01").await?;
    let zone = ZoneId::new("Z-T01-V01")?;
    let start = now_ms() as i64 - 3_600_000;
    let patrol = tracks::patrol(&zone, start, 40, 3);

    // Envelope keys the server sets when it stores an event: the event is malformed, quarantined
    // as evidence, and takes no place in the chain.
    let sealed = officer.seal(&patrol);
    officer.next_seq -= 1;
    officer.head = sealed.prev;
    let envelope = serde_json::to_value(&sealed)?;
    let forged: Vec<Value> = [
        ("server_seq", json!(1)),
        ("received_at", json!(now_ms())),
        ("accepted", json!(true)),
        ("buckets", json!(["county"])),
        ("flags", json!([])),
        ("reason", Value::Null),
    ]
    .into_iter()
    .map(|(k, v)| {
        let mut e = envelope.clone();
        e[k] = v;
        e
    })
    .collect();
    let reply = officer.sync_values(forged).await?;
    assert!(reply.acks.iter().all(|a| a.reason == Some(RejectReason::Malformed)), "{:?}", reply.acks);
    let store = server.sql()?;
    let in_log = store.count("SELECT count(*) FROM events WHERE id = ?1", args![sealed.id.0.as_bytes()])?;
    assert_eq!(in_log, 0);

    // Check results, flags and verdicts in a body: refused as invalid_body, kept as rejected
    // evidence, never checked, flagged, routed or folded.
    let mut bodies = Vec::new();
    for (field, value) in [("counts", json!(true)), ("explanation", json!("counts")), ("flags", json!([])), ("checked_at", json!(1))] {
        let mut body = patrol.to_value();
        body[field] = value;
        bodies.push(("patrol.recorded", body));
    }
    let accepted_patrol = officer.seal(&patrol);
    let finding = tracks::finding(&zone, accepted_patrol.id, start + 60_000, FindingKind::UnlicensedMining, Some(Mineral::Tin));
    for (field, value) in [("verdict", json!("licensed")), ("high_priority", json!(false)), ("licence_verdict", json!({"licence": null}))] {
        let mut body = finding.to_value();
        body[field] = value;
        bodies.push(("finding.reported", body));
    }
    let mut events = vec![accepted_patrol.clone()];
    events.extend(bodies.into_iter().map(|(kind, body)| officer.seal_value(kind, body)));
    let reply = officer.sync(&events).await?;
    assert_eq!(reply.acks[0].status, AckStatus::Accepted);
    for (ack, event) in reply.acks.iter().zip(&events).skip(1) {
        assert_eq!((ack.status, ack.reason), (AckStatus::Rejected, Some(RejectReason::InvalidBody)), "{}", event.body);
        let row = store.one(
            "SELECT e.accepted, (SELECT count(*) FROM event_routes r WHERE r.server_seq = e.server_seq),
                    (SELECT count(*) FROM patrol_checks WHERE patrol = e.id) + (SELECT count(*) FROM finding_checks WHERE finding = e.id)
                    + (SELECT count(*) FROM flags WHERE event_id = e.id)
             FROM events e WHERE e.id = ?1",
            args![event.id.0.as_bytes()],
        )?;
        let (accepted, routes, checks): (bool, i64, i64) = (row.get(0)?, row.get(1)?, row.get(2)?);
        assert_eq!((accepted, routes, checks), (false, 0, 0), "{}", event.body);
    }
    let (_, projection) = officer.projection().await?;
    assert_eq!(projection["patrols"].as_object().map(|p| p.len()), Some(1), "only the clean patrol is folded");
    assert_eq!(projection["findings"].as_object().map(|f| f.len()), Some(0));
    Ok(())
}
