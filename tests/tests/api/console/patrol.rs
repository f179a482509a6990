//! The patrol page's amendments and signature status: every event checked in the browser with
//! its device's enrolled key (WebCrypto Ed25519). Valid as stored; after the stored rows are
//! changed in the store behind the server's back (a signature replaced, a summary edited),
//! the page says which event no longer verifies, as `audit integrity` does.

use anyhow::{Context, Result, ensure};
use patrolsync_server::args;
use patrolsync_tests::browser::Browser;
use patrolsync_tests::store_sql::StoreSql;
use serde_json::Value;
use sync_protocol::ids::EventId;

use super::world::World;

/// What the page found of `event`'s signature (`data-sig`).
async fn status(b: &Browser, event: EventId) -> Result<String> {
    let li = b.wait(&format!("#signatures li[data-event='{event}']")).await?;
    li.attr("data-sig").await?.context("data-sig")
}

/// The patrol's page lists its amendment under the original, and finds both events valid.
pub async fn amendments_and_signatures(b: &Browser, w: &World) -> Result<()> {
    assert_eq!(status(b, w.patrol).await?, "valid", "the recording event verifies in the browser");
    assert_eq!(status(b, w.amendment).await?, "valid", "the amendment verifies in the browser");
    let text = b.text("main").await?;
    ensure!(text.contains("漏记路线 route left out") && text.contains("河岸及旧采石场路 补记"), "the amendment is listed: {text}");
    ensure!(text.contains("巡查河道与采石场 checked the river bank and the quarry"), "the original summary stays: {text}");
    Ok(())
}

/// Changes the stored text of `event` with `change` (the log's rows cannot be updated: the
/// guard that forbids it is lifted first, as an attacker with the database would).
fn tamper(store: &StoreSql, event: EventId, change: impl Fn(&mut Value)) -> Result<()> {
    use patrolsync_server::store::sql::Sql;
    let id = event.0.as_bytes();
    let raw: String = store.value("SELECT raw FROM events WHERE id = ?1", args![id])?;
    let mut json: Value = serde_json::from_str(&raw)?;
    change(&mut json);
    ensure!(store.run("UPDATE events SET raw = ?1 WHERE id = ?2", args![json.to_string(), id])? == 1);
    Ok(())
}

/// The amendment's signature replaced by another (still well formed), the recording's summary
/// edited: the page marks the one invalid and the other's hash as not matching.
pub async fn tampered_rows_fail_in_the_browser(b: &Browser, url: &str, w: &World) -> Result<()> {
    let store = StoreSql::open(&w.db, w.store_url.as_deref())?;
    store.unguard("events")?;
    tamper(&store, w.amendment, |e| {
        let sig = e["sig"].as_str().unwrap_or_default().to_owned();
        let first = if sig.starts_with('A') { "B" } else { "A" };
        e["sig"] = Value::from(format!("{first}{}", &sig[1..]));
    })?;
    tamper(&store, w.patrol, |e| e["body"]["summary"] = Value::from("edited in the file"))?;
    drop(store);
    b.open(&format!("{url}/#/patrol?id={}", w.patrol), "patrol").await?;
    assert_eq!(status(b, w.amendment).await?, "invalid", "a replaced signature fails in the browser");
    assert_eq!(status(b, w.patrol).await?, "hash_mismatch", "an edited event no longer hashes to its hash");
    let (_, integrity) = w.auditor.get_json("/v1/audit/integrity").await?;
    for event in [w.patrol, w.amendment] {
        ensure!(integrity.to_string().contains(&event.to_string()), "the server's audit finds {event} broken too: {integrity}");
    }
    Ok(())
}
