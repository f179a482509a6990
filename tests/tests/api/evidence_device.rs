//! Evidence from phone to phone through the real server: an officer attaches photos with known
//! EXIF to a finding offline, syncs (events, then bytes), the server flags the photos taken far
//! away or outside the patrol; the township inspector lists and fetches them; an interrupted
//! upload is resumed by the phone from the server's offset.

use anyhow::{Context, Result};
use patrolsync_server::store::sql::Sql;
use patrolsync_tests::DEMO_PASSWORD;
use patrolsync_tests::app::{TestApp, spawn_app};
use patrolsync_tests::device::{DeviceCli, write_walk};
use patrolsync_tests::photo::{PhotoExif, jpeg, sha256_hex};
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::tracks::zone_centre_degrees;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use sync_protocol::ids::ZoneId;
use tokio::io::AsyncWriteExt;

const OFFICER: &str = "vo-t01-v01";
const HOUR: i64 = 3_600_000;

/// `YYYY:MM:DD HH:MM:SS` of `ms` shifted by `offset_h` hours (the camera's local time).
fn exif_time(ms: i64, offset_h: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms + offset_h * HOUR).unwrap_or_default().format("%Y:%m:%d %H:%M:%S").to_string()
}

fn id_of(out: &str) -> String {
    out.trim().to_string()
}

/// Records a patrol with a finding at the zone centre; returns the phone, the finding id and the
/// patrol's start (Unix ms).
fn officer_with_finding(server: &TestApp, dir: &Path) -> Result<(DeviceCli, String, i64)> {
    let phone = DeviceCli::new(dir.join("officer.db"));
    phone.login(&server.url(), OFFICER, DEMO_PASSWORD)?;
    phone.run(&["sync"])?;
    let zone = ZoneId::new("Z-T01-V01")?;
    let start = now_ms() as i64 - 4 * HOUR;
    let track = write_walk(dir, "walk.gpx", &zone, start, 40, 3)?;
    let patrol = phone.record_patrol(&track, &["--findings"])?;
    let finding = phone.report_finding(&patrol.to_string(), "unlicensed_mining", zone_centre_degrees(&zone), "露天开挖 open pit")?;
    Ok((phone, finding.to_string(), start))
}

fn evidence(phone: &DeviceCli, finding: &str) -> Result<Vec<Value>> {
    let out = phone.run(&["evidence", "--finding", finding, "--json"])?;
    Ok(serde_json::from_str::<Vec<Value>>(&out)?)
}

/// The open flags on each attachment event, by the attachment's event id.
fn flags_by_event(server: &TestApp) -> Result<BTreeMap<String, Vec<String>>> {
    let mut by_event: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in server.sql()?.all("SELECT event_id, kind FROM flags WHERE kind LIKE 'photo_%' ORDER BY kind", &[])? {
        by_event.entry(patrolsync_tests::device::uuid_text(row.bytes(0)?)).or_default().push(row.get(1)?);
    }
    Ok(by_event)
}

#[test]
fn evidence_goes_from_the_officers_phone_to_the_inspectors_and_mismatched_photos_are_flagged() -> Result<()> {
    let server = spawn_app()?;
    let dir = tempfile::tempdir()?;
    let (officer, finding, start) = officer_with_finding(&server, dir.path())?;
    let (lon, lat) = zone_centre_degrees(&ZoneId::new("Z-T01-V01")?);
    let during = start + 15 * 60_000;
    // name, EXIF, the flags the server must raise
    let photos: [(&str, PhotoExif, &[&str]); 4] = [
        ("at-the-pit.jpg", PhotoExif { lon, lat, taken: exif_time(during, 8), offset: Some("+08:00".into()) }, &[]),
        (
            "two-km-away.jpg",
            PhotoExif { lon: lon + 0.02, lat, taken: exif_time(during, 8), offset: Some("+08:00".into()) },
            &["photo_far_from_finding"],
        ),
        // No offset written: China Standard Time. Read as UTC it would be 8 h off, and flagged.
        ("no-offset.jpg", PhotoExif { lon, lat, taken: exif_time(during, 8), offset: None }, &[]),
        (
            "next-day.jpg",
            PhotoExif { lon, lat, taken: exif_time(during + 20 * HOUR, 0), offset: Some("+00:00".into()) },
            &["photo_time_outside_patrol"],
        ),
    ];
    let mut expected = BTreeMap::new();
    let mut originals = BTreeMap::new();
    for (i, (name, exif, flags)) in photos.iter().enumerate() {
        let bytes = jpeg(Some(exif), 300_000 + i * 1_000, i as u64);
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes)?;
        let id = id_of(&officer.run(&["attach", "--finding", &finding, "--file", path.to_str().context("path")?])?);
        expected.insert(id, flags.iter().map(|f| f.to_string()).collect::<Vec<_>>());
        originals.insert(sha256_hex(&bytes), bytes);
    }
    // A document without EXIF: never flagged.
    let pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec();
    std::fs::write(dir.path().join("licence.pdf"), &pdf)?;
    let pdf_id =
        id_of(&officer.run(&["attach", "--finding", &finding, "--file", dir.path().join("licence.pdf").to_str().context("path")?])?);
    expected.insert(pdf_id, Vec::new());
    originals.insert(sha256_hex(&pdf), pdf);
    // A file not on the allow-list is refused on the phone, by its content.
    std::fs::write(dir.path().join("photo.jpg"), b"<html>not a photo</html>")?;
    assert!(
        !officer
            .output(&["attach", "--finding", &finding, "--file", dir.path().join("photo.jpg").to_str().context("path")?])?
            .status
            .success()
    );

    let before = evidence(&officer, &finding)?;
    assert_eq!(before.len(), 5);
    assert!(before.iter().all(|e| e["state"] == "on_phone" && e["sync"] == "pending"), "{before:?}");
    assert_eq!(officer.ledger()?["evidence_not_on_server"], 5);

    let said = officer.run(&["sync"])?;
    assert!(said.contains("5 uploaded"), "{said}");
    let after = evidence(&officer, &finding)?;
    assert!(after.iter().all(|e| e["state"] == "on_server" && e["sync"] == "sent"), "{after:?}");
    assert_eq!(officer.ledger()?["evidence_not_on_server"], 0);
    let ledger = officer.ledger()?;
    assert_eq!(ledger["patrols"][0]["findings"][0]["evidence"].as_array().map(Vec::len), Some(5));

    let mut flagged = flags_by_event(&server)?;
    for (id, flags) in &expected {
        assert_eq!(flagged.remove(id).unwrap_or_default(), *flags, "attachment {id}");
    }
    assert!(flagged.is_empty(), "no other photo is flagged: {flagged:?}");

    // The township inspector's phone pulls the finding and fetches its evidence.
    let inspector = DeviceCli::new(dir.path().join("inspector.db"));
    inspector.login(&server.url(), "ti-t01-1", DEMO_PASSWORD)?;
    inspector.run(&["sync"])?;
    let listed = evidence(&inspector, &finding)?;
    assert_eq!(listed.len(), 5);
    assert!(listed.iter().all(|e| e["state"] == "not_here" && e["sync"] == "pulled"), "{listed:?}");
    let fetched = inspector.run(&["fetch", "--finding", &finding])?;
    let paths: Vec<&str> = fetched.lines().collect();
    assert_eq!(paths.len(), 5);
    for path in paths {
        let bytes = std::fs::read(path)?;
        assert_eq!(originals.get(&sha256_hex(&bytes)), Some(&bytes), "{path} holds exactly the officer's bytes");
    }
    assert!(evidence(&inspector, &finding)?.iter().all(|e| e["state"] == "on_server"));
    Ok(())
}

#[test]
fn the_watching_upload_loop_sends_the_evidence_too() -> Result<()> {
    let server = spawn_app()?;
    let dir = tempfile::tempdir()?;
    let (officer, finding, _) = officer_with_finding(&server, dir.path())?;
    let path = dir.path().join("pit.jpg");
    std::fs::write(&path, jpeg(None, 200_000, 7))?;
    officer.run(&["attach", "--finding", &finding, "--file", path.to_str().context("path")?])?;
    let mut watching = officer.spawn(&["sync", "--watch"])?;
    let arrived = patrolsync_tests::device::wait_for("the photo on the server", std::time::Duration::from_secs(20), || {
        Ok(evidence(&officer, &finding)?.iter().all(|e| e["state"] == "on_server"))
    });
    let _ = watching.kill();
    let _ = watching.wait();
    arrived
}

#[tokio::test(flavor = "multi_thread")]
async fn the_phone_resumes_an_interrupted_upload_from_the_servers_offset() -> Result<()> {
    let server = spawn_app()?;
    let dir = tempfile::tempdir()?;
    let (officer, finding, _) = officer_with_finding(&server, dir.path())?;
    let photo = jpeg(None, 3_000_000, 42);
    let path = dir.path().join("big.jpg");
    std::fs::write(&path, &photo)?;
    officer.run(&["attach", "--finding", &finding, "--file", path.to_str().context("path")?])?;
    // Push the event only: a raw upload of the same officer is then cut off half-way, as a
    // dropped mobile link would leave it.
    let db = officer.replica.clone();
    let mut replica = patrolsync_client::Replica::open(&db)?;
    // `sync_with` pushes and pulls only; `sync` would upload the blob too.
    patrolsync_client::sync::sync_with(&mut replica, &patrolsync_client::sync::Api::new(&server.url(), &Default::default())?).await?;
    let mut raw = RawDevice::new(&server.url(), OFFICER)?;
    raw.login(DEMO_PASSWORD).await?;
    let hash = sha256_hex(&photo);
    let mut tcp = tokio::net::TcpStream::connect(("127.0.0.1", server.port)).await?;
    let head = format!(
        "PUT /v1/blobs/{hash} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {}\r\ncontent-length: {}\r\n\r\n",
        raw.token.clone().unwrap_or_default(),
        photo.len()
    );
    tcp.write_all(head.as_bytes()).await?;
    tcp.write_all(&photo[..1_600_000]).await?;
    tcp.flush().await?;
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    drop(tcp);
    // The server keeps writing what it had read until it sees the connection gone: wait until
    // the offset it reports stops moving.
    let mut received = u64::MAX;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let (_, missing) = raw.evidence_missing("").await?;
        let now = missing["missing"][0]["received"].as_u64().context("received")?;
        if now == received {
            break;
        }
        received = now;
    }
    assert!(received > 0 && received < photo.len() as u64, "{received}");

    let report = patrolsync_client::sync::upload_blobs(&replica).await?;
    assert_eq!(report.uploaded, 1);
    assert_eq!(report.bytes, photo.len() as u64 - received, "only the rest was sent");
    let response =
        raw.http.get(format!("{}/v1/blobs/{hash}", server.url())).bearer_auth(raw.token.clone().unwrap_or_default()).send().await?;
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    assert!(response.bytes().await?.as_ref() == photo.as_slice(), "the server holds exactly the original");
    Ok(())
}
