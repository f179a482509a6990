//! A tip moved to another township takes its informant and its evidence with it, across the
//! phones of two townships through the real server and the real device CLI: the new township's
//! inspector gets the contact and the photo, the old township's phone purges both (the bytes too),
//! and roles that may not read the informant never get it.

use anyhow::{Context, Result};
use patrolsync_client::replica::Replica;
use patrolsync_tests::app::{TestApp, spawn_app};
use patrolsync_tests::device::DeviceCli;
use patrolsync_tests::photo::{jpeg, sha256_hex};
use patrolsync_tests::raw::RawDevice;
use patrolsync_tests::{DEMO_PASSWORD, office};
use reqwest::StatusCode;
use sync_protocol::ids::EventId;
use sync_protocol::wire::AckStatus;

fn phone(server: &TestApp, dir: &std::path::Path, user: &str) -> Result<DeviceCli> {
    let phone = DeviceCli::new(dir.join(format!("{user}.db")));
    phone.login(&server.url(), user, DEMO_PASSWORD)?;
    Ok(phone)
}

/// What a phone holds of the tip: its content, its informant's contact, its attachments, and
/// whether the photo's bytes are in the phone's blob folder.
struct Held {
    content: Option<String>,
    township: Option<String>,
    contact: Option<String>,
    attachments: usize,
    bytes_here: bool,
}

fn held(phone: &DeviceCli, tip: EventId, sha256: &str) -> Result<Held> {
    let replica = Replica::open(&phone.replica)?;
    let p = replica.projection()?;
    Ok(Held {
        content: p.tips.get(&tip).and_then(|t| t.content.clone()),
        township: p.tips.get(&tip).map(|t| t.township.to_string()),
        contact: p.informants.get(&tip).map(|i| i.contact.clone()),
        attachments: p.attachments_of(&tip).count(),
        bytes_here: replica.blob_dir().join(sha256).exists(),
    })
}

async fn blob_status(server: &TestApp, user: &str, sha256: &str) -> Result<StatusCode> {
    let mut d = RawDevice::new(&server.url(), user)?;
    d.login(DEMO_PASSWORD).await?;
    let token = d.token.clone().context("token")?;
    Ok(reqwest::Client::new().get(format!("{}/v1/blobs/{sha256}", server.url())).bearer_auth(token).send().await?.status())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_moved_tip_takes_its_informant_and_evidence_to_the_new_township() -> Result<()> {
    let server = spawn_app()?;
    let dir = tempfile::tempdir()?;
    // T03's inspector records the tip, its informant and a photo of the spot, offline, then syncs.
    let recorder = phone(&server, dir.path(), "ti-t03-1")?;
    let tip = recorder.receive_tip("夜间运矿车 trucks at night", "T03", "王举报", "13900000000")?;
    let photo = jpeg(None, 40_000, 14);
    let sha256 = sha256_hex(&photo);
    let file = dir.path().join("spot.jpg");
    std::fs::write(&file, &photo)?;
    recorder.run(&["attach", "--tip", &tip.to_string(), "--file", file.to_str().context("path")?])?;
    recorder.run(&["sync"])?;

    // T03's other inspector holds all of it, and fetches the photo.
    let old = phone(&server, dir.path(), "ti-t03-2")?;
    old.run(&["sync"])?;
    old.run(&["fetch", "--tip", &tip.to_string()])?;
    let before = held(&old, tip, &sha256)?;
    assert_eq!(before.contact.as_deref(), Some("13900000000"));
    assert_eq!((before.attachments, before.bytes_here), (1, true));
    assert_eq!(blob_status(&server, "ti-t03-2", &sha256).await?, StatusCode::OK);
    // T04's inspector has nothing of it yet.
    let new = phone(&server, dir.path(), "ti-t04-1")?;
    new.run(&["sync"])?;
    assert!(held(&new, tip, &sha256)?.township.is_none());
    assert_eq!(blob_status(&server, "ti-t04-1", &sha256).await?, StatusCode::NOT_FOUND);

    // The county moves the tip to T04 and asks a village there to check it.
    let mut county = RawDevice::new(&server.url(), "ca-1")?;
    county.login(DEMO_PASSWORD).await?;
    let assignment = county.seal(&office::assign_tip(tip, "T04", "T04-V01"));
    let moved = county.sync(&[assignment]).await?;
    assert_eq!(moved.acks[0].status, AckStatus::Accepted, "{:?}", moved.acks);

    // The new township's phone gets the tip, the informant and the photo, bytes included.
    new.run(&["sync"])?;
    new.run(&["fetch", "--tip", &tip.to_string()])?;
    let now_new = held(&new, tip, &sha256)?;
    assert_eq!(now_new.content.as_deref(), Some("夜间运矿车 trucks at night"));
    assert_eq!(now_new.township.as_deref(), Some("T04"));
    assert_eq!(now_new.contact.as_deref(), Some("13900000000"), "the new township sees the contact");
    assert_eq!((now_new.attachments, now_new.bytes_here), (1, true));
    assert_eq!(std::fs::read(Replica::open(&new.replica)?.blob_dir().join(&sha256))?, photo);

    // The old township's phone purges the informant and the photo (its bytes too), and keeps the
    // record that the tip moved.
    let said = old.run(&["sync"])?;
    assert!(!said.contains(" 0 purged"), "{said}");
    let now_old = held(&old, tip, &sha256)?;
    assert_eq!(now_old.contact, None, "the old township keeps no contact");
    assert_eq!((now_old.attachments, now_old.bytes_here), (0, false));
    assert_eq!(now_old.township.as_deref(), Some("T04"), "it sees where the tip went");
    assert_eq!(blob_status(&server, "ti-t03-2", &sha256).await?, StatusCode::NOT_FOUND);

    // Still never shown to those who may not read it: the village asked to check, a commissioner.
    for user in ["vo-t04-v01", "cm-1"] {
        let mut d = RawDevice::new(&server.url(), user)?;
        d.login(DEMO_PASSWORD).await?;
        let pulled = d.pull_all().await?;
        assert!(pulled.iter().all(|e| e.kind != "tip.informant"), "{user} pulled the informant");
    }
    Ok(())
}
