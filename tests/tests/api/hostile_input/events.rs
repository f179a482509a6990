//! Payload classes inside a sync push. The request is well formed, so it is answered `200` with
//! one ack per event; a bad event is rejected with its reason and kept only as evidence: whole
//! and in its chain when it is authentic (`invalid_body`), else truncated in the quarantine.

use anyhow::{Context, Result};
use patrolsync_server::args;
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::tracks;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use sync_protocol::body::FindingKind;
use sync_protocol::crypto::Hash;
use sync_protocol::hlc::Hlc;
use sync_protocol::ids::{EventId, ZoneId};
use sync_protocol::wire::{AckStatus, RejectReason, SyncResponse};

use super::table::Fixture;

/// Kept whole in the device's chain: the event row, and the device's head.
const KEPT: &[(&str, i64)] = &[("devices", 0), ("events", 1)];
/// Quarantined: one row, at most 16 KiB of the text (and the device's last sync noted).
const QUARANTINED: &[(&str, i64)] = &[("devices", 0), ("quarantine", 1)];

type Make = Box<dyn Fn(&mut RawDevice) -> String>;

/// One class: how to make the event's text, its ack, and the tables it may change.
struct EventCase {
    class: &'static str,
    make: Make,
    reason: RejectReason,
    writes: &'static [(&'static str, i64)],
}

fn case(
    class: &'static str,
    reason: RejectReason,
    writes: &'static [(&'static str, i64)],
    make: impl Fn(&mut RawDevice) -> String + 'static,
) -> EventCase {
    EventCase { class, make: Box::new(make), reason, writes }
}

fn zone() -> ZoneId {
    ZoneId::new("Z-T01-V01").expect("zone")
}

fn start() -> i64 {
    now_ms() as i64 - 3_600_000
}

/// A patrol body in the officer's zone, as JSON to be altered.
fn patrol() -> Value {
    tracks::patrol(&zone(), start(), 20, 1).to_value()
}

fn finding() -> Value {
    tracks::finding(&zone(), EventId(uuid::Uuid::now_v7()), start(), FindingKind::UnlicensedMining, None).to_value()
}

/// Seals `body` as `kind` and returns the event's text.
fn sealed(d: &mut RawDevice, kind: &str, body: Value) -> String {
    serde_json::to_string(&d.seal_value(kind, body)).expect("event text")
}

fn with_track(edit: impl Fn(&mut Value)) -> Value {
    let mut p = patrol();
    edit(&mut p["track"][0]);
    p
}

/// `depth` arrays around a number.
fn nested(depth: usize) -> Value {
    (0..depth).fold(json!(1), |inner, _| json!([inner]))
}

/// serde_json's reserved key, `levels` deep, each level's JSON text nested `brackets` deep.
fn reserved_key_nesting(levels: usize, brackets: usize) -> String {
    let mut text = "{}".to_string();
    for _ in 0..levels {
        let inner = format!("{}{text}{}", "[".repeat(brackets), "]".repeat(brackets));
        text = format!("{{\"$serde_json::private::RawValue\":{}}}", serde_json::to_string(&inner).expect("string"));
    }
    text
}

fn cases() -> Vec<EventCase> {
    use RejectReason::{InvalidBody, Malformed};
    vec![
        case("not an object", Malformed, QUARANTINED, |_| "\"an event\"".into()),
        case("deep nesting: 100,000 [ as the event", Malformed, QUARANTINED, |_| "[".repeat(100_000) + &"]".repeat(100_000)),
        case("deep nesting: a body 100 deep (under serde's 128, over the hash's 32)", Malformed, QUARANTINED, |d| {
            let mut e: Value = serde_json::from_str(&sealed(d, "patrol.recorded", patrol())).expect("event");
            e["body"]["summary"] = nested(100);
            e.to_string()
        }),
        case("deep nesting: a body 200 deep", Malformed, QUARANTINED, |d| {
            let text = sealed(d, "patrol.recorded", patrol());
            text.replacen("\"body\":{", &format!("\"body\":{{\"deep\":{}1{},", "[".repeat(200), "]".repeat(200)), 1)
        }),
        case("serde_json's reserved key, 16 levels of 120 brackets", Malformed, QUARANTINED, |d| {
            let text = sealed(d, "patrol.recorded", patrol());
            let nesting = reserved_key_nesting(16, 120);
            text.replacen("\"body\":{", &format!("\"body\":{{\"deep\":{nesting},"), 1)
        }),
        case("duplicate key in the body (a second summary the hash does not cover)", Malformed, QUARANTINED, |d| {
            let text = sealed(d, "patrol.recorded", patrol());
            text.replacen("\"body\":{", "\"body\":{\"summary\":\"forged: nothing was found\",", 1)
        }),
        case("duplicate key in the envelope", Malformed, QUARANTINED, |d| {
            sealed(d, "patrol.recorded", patrol()).replacen('{', "{\"seq\":1,", 1)
        }),
        case("unknown key in the envelope", Malformed, QUARANTINED, |d| {
            sealed(d, "patrol.recorded", patrol()).replacen('{', "{\"server_seq\":1,", 1)
        }),
        case("unknown key in the body", InvalidBody, KEPT, |d| {
            let mut p = patrol();
            p["verified_by_county"] = json!(true);
            sealed(d, "patrol.recorded", p)
        }),
        case("lone surrogate in the body", Malformed, QUARANTINED, |d| {
            let text = sealed(d, "patrol.recorded", patrol());
            let summary = text.find("\"summary\":\"").expect("summary") + "\"summary\":\"".len();
            format!("{}\\ud800{}", &text[..summary], &text[summary..])
        }),
        case("1e400 in a track", Malformed, QUARANTINED, |d| {
            let text = sealed(d, "patrol.recorded", patrol());
            let at = text.find("\"track\":[[").expect("track") + "\"track\":[[".len();
            format!("{}1e400,{}", &text[..at], &text[at..])
        }),
        case("a coordinate in float degrees", Malformed, QUARANTINED, |d| {
            let mut e: Value = serde_json::from_str(&sealed(d, "patrol.recorded", patrol())).expect("event");
            e["body"]["track"][0][1] = json!(114.5);
            e.to_string()
        }),
        case("a coordinate beyond 2^53", Malformed, QUARANTINED, |d| {
            let mut e: Value = serde_json::from_str(&sealed(d, "patrol.recorded", patrol())).expect("event");
            e["body"]["track"][0][1] = json!(9_007_199_254_740_993_i64);
            e.to_string()
        }),
        case("latitude 91° in a track", InvalidBody, KEPT, |d| {
            sealed(d, "patrol.recorded", with_track(|fix| fix[2] = json!(910_000_000)))
        }),
        case("longitude 181° in a track", InvalidBody, KEPT, |d| {
            sealed(d, "patrol.recorded", with_track(|fix| fix[1] = json!(1_810_000_000)))
        }),
        case("longitude and latitude swapped in a track (the county's 114.5° becomes a latitude)", InvalidBody, KEPT, |d| {
            sealed(d, "patrol.recorded", with_track(|fix| fix.as_array_mut().expect("fix").swap(1, 2)))
        }),
        case("a track of 10,001 fixes", InvalidBody, KEPT, |d| {
            let mut p = patrol();
            let fixes = p["track"].as_array_mut().expect("track");
            fixes.truncate(1);
            fixes.extend((0..10_000).map(|_| json!([1_000, 1, 1, 5])));
            p["ended_at"] = json!(start() + 10_000_000);
            sealed(d, "patrol.recorded", p)
        }),
        case("a finding at latitude 91°", InvalidBody, KEPT, |d| {
            let mut f = finding();
            f["location"]["lat"] = json!(910_000_000);
            sealed(d, "finding.reported", f)
        }),
        case("a finding with longitude and latitude swapped", InvalidBody, KEPT, |d| {
            let mut f = finding();
            let (lon, lat) = (f["location"]["lon"].clone(), f["location"]["lat"].clone());
            f["location"] = json!({"lon": lat, "lat": lon});
            sealed(d, "finding.reported", f)
        }),
        case("a 4,001-character description", InvalidBody, KEPT, |d| {
            let mut f = finding();
            f["description"] = json!("描".repeat(4_001));
            sealed(d, "finding.reported", f)
        }),
        case("a 7 MB description (one event over 1 MiB)", Malformed, QUARANTINED, |d| {
            let mut f = finding();
            f["description"] = json!("a".repeat(7 * 1024 * 1024));
            sealed(d, "finding.reported", f)
        }),
    ]
}

/// Pushes one event's text; returns the ack's status and reason.
async fn push(d: &RawDevice, hlc: Hlc, text: &str) -> Result<(AckStatus, Option<RejectReason>)> {
    let body = format!("{{\"hlc\":\"{hlc}\",\"events\":[{text}],\"limit\":1}}");
    let (status, reply) = d.post("/v1/sync", body.as_bytes()).await?;
    anyhow::ensure!(status == StatusCode::OK, "the push answered {status}: {}", String::from_utf8_lossy(&reply[..reply.len().min(300)]));
    let reply: SyncResponse<Value> = serde_json::from_slice(&reply).context("sync reply")?;
    Ok((reply.acks[0].status, reply.acks[0].reason))
}

#[tokio::test]
async fn bad_events_are_rejected_one_by_one_and_kept_only_as_evidence() -> Result<()> {
    let mut fx = Fixture::start(&[]).await?;
    let mut failures = Vec::new();
    let cases = cases();
    for c in &cases {
        let before = fx.snapshot();
        let saved: (u64, Hash, Hlc) = (fx.officer.next_seq, fx.officer.head, fx.officer.hlc);
        let text = (c.make)(&mut fx.officer);
        let got = push(&fx.officer, fx.officer.hlc, &text).await?;
        if got != (AckStatus::Rejected, Some(c.reason)) {
            failures.push(format!("{}: expected rejected {:?}, got {got:?}", c.class, c.reason));
        }
        // An event that did not take its place in the chain is not the device's head.
        if got.0 == AckStatus::Rejected && !got.1.is_some_and(RejectReason::advances_chain) {
            (fx.officer.next_seq, fx.officer.head, fx.officer.hlc) = saved;
        }
        let changes = fx.snapshot().changes_since(&before);
        let mut expected: BTreeMap<String, i64> = c.writes.iter().map(|(t, n)| (t.to_string(), *n)).collect();
        // Every row kept as evidence, quarantined or in its chain, is also a leaf of the log.
        let leaves: i64 = ["events", "quarantine"].iter().filter_map(|t| expected.get(*t)).sum();
        if leaves > 0 {
            expected.insert("merkle_leaves".into(), leaves);
        }
        if changes != expected {
            failures.push(format!("{}: expected the store to change {expected:?}, it changed {changes:?}", c.class));
        }
        if !fx.healthy().await {
            failures.push(format!("{}: the server is no longer healthy", c.class));
            break;
        }
    }
    let quarantined: i64 = fx.server.sql()?.value("SELECT CAST(max(length(raw)) AS BIGINT) FROM quarantine", &[])?;
    assert!(quarantined <= 16 * 1024, "a quarantined text is cut at 16 KiB, found {quarantined} bytes");
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
    // After all of it, the chain still takes the next good event.
    let good = fx.officer.seal(&tracks::patrol(&zone(), start(), 20, 2));
    assert_eq!(fx.officer.sync(&[good]).await?.acks[0].status, AckStatus::Accepted);
    Ok(())
}

/// A well-formed position far outside the officer's zone (a device whose coordinates were
/// shifted or swapped into range) is accepted and flagged, never dropped: DESIGN.md's "accept
/// and flag".
#[tokio::test]
async fn a_well_formed_track_outside_the_zone_is_accepted_and_flagged() -> Result<()> {
    let mut fx = Fixture::start(&[]).await?;
    let moved = with_track(|fix| fix[1] = json!(fix[1].as_i64().expect("lon") + 5_000_000));
    let event = fx.officer.seal_value("patrol.recorded", moved);
    assert_eq!(fx.officer.sync(std::slice::from_ref(&event)).await?.acks[0].status, AckStatus::Accepted);
    let flags: Vec<String> = fx.server.sql()?.column("SELECT kind FROM flags WHERE event_id = ?1", args![event.id.0.as_bytes()])?;
    assert!(flags.iter().any(|k| k == "outside_zone"), "flags on the moved patrol: {flags:?}");
    Ok(())
}
