//! A county auditor's new phone pulls many pages: after the first round the rest is fetched a
//! page ahead on a second thread (`client/src/sync/prefetch.rs`) while the replica applies the
//! page before (here in pages of 300, to have several). The replica ends with exactly the
//! server's fold of the county, every event once, and a second sync finds nothing more. A stored
//! event changed in the database and served in a page fetched ahead is kept aside on the phone
//! (`client/src/sync/check.rs`), and the rest of the pull is applied.

use anyhow::{Context, Result, ensure};
use patrolsync_client::sync;
use patrolsync_server::args;
use patrolsync_server::store::sql::Sql;
use patrolsync_tests::DEMO_PASSWORD;
use patrolsync_tests::app::spawn_app;
use patrolsync_tests::device::{local_projection, phone, server_projection};
use patrolsync_tests::fill;

#[test]
fn a_first_sync_of_many_pages_ends_with_the_servers_fold() -> Result<()> {
    let server = spawn_app()?;
    let url = server.url();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let mut devices = fill::officers(&url, DEMO_PASSWORD, 8, 30).await?;
        let pushed = fill::push_histories(&mut devices, 150, 3).await?;
        let dir = tempfile::tempdir()?;
        let mut auditor = phone(&dir.path().join("auditor.db"), &url, "ca-1").await?;
        let api = sync::Api::new(&url, &Default::default())?.with_pull_page(300);

        let report = sync::sync_with(&mut auditor, &api).await?;
        let expected = server_projection(&auditor, &url).await?;
        ensure!(expected.patrols.len() == pushed, "the server holds {} patrols, {pushed} were pushed", expected.patrols.len());
        // The server's default page first (1,000 events), then pages of 300 fetched ahead.
        ensure!(report.rounds >= 4, "{} rounds for {} events", report.rounds, report.pulled);
        ensure!(report.pulled as u64 == expected.events, "pulled {} events, the server folds {}", report.pulled, expected.events);
        ensure!(auditor.event_count()? == expected.events);
        ensure!(local_projection(&auditor)? == expected, "the replica's fold differs from the server's");

        let again = sync::sync_with(&mut auditor, &api).await?;
        ensure!(again.pulled == 0 && again.rounds == 1, "a second sync pulled {} in {} rounds", again.pulled, again.rounds);
        Ok(())
    })
}

#[test]
fn a_changed_event_in_a_page_pulled_ahead_is_kept_aside_and_the_rest_applied() -> Result<()> {
    let server = spawn_app()?;
    let url = server.url();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let pushed = runtime.block_on(async {
        let mut devices = fill::officers(&url, DEMO_PASSWORD, 4, 30).await?;
        fill::push_histories(&mut devices, 150, 3).await
    })?;
    // The last patrol stored: past the first round's 1,000 events, so in a page fetched ahead.
    let store = server.sql()?;
    let last = store.one("SELECT server_seq, id FROM events WHERE kind = 'patrol.recorded' ORDER BY server_seq DESC LIMIT 1", &[])?;
    let (seq, id): (i64, Vec<u8>) = (last.get(0)?, last.get(1)?);
    let before = store.count("SELECT count(*) FROM events WHERE accepted = TRUE AND server_seq < ?1", args![seq])?;
    ensure!(before >= 1_000, "the last patrol comes after {before} events, within the first round's page");
    store.unguard("events")?;
    let changed = store
        .run("UPDATE events SET raw = replace(raw, 'checked the river bank', 'checked the river bed') WHERE server_seq = ?1", args![seq])?;
    ensure!(changed == 1);
    let held = store.count("SELECT count(*) FROM events WHERE accepted = TRUE", &[])? as u64;
    drop(store);

    runtime.block_on(async {
        let dir = tempfile::tempdir()?;
        let mut auditor = phone(&dir.path().join("auditor.db"), &url, "ca-1").await?;
        let api = sync::Api::new(&url, &Default::default())?.with_pull_page(300);
        let report = sync::sync_with(&mut auditor, &api).await?;
        ensure!(report.rounds >= 2, "{} round: nothing was pulled ahead", report.rounds);
        ensure!(report.aside == 1, "{} kept aside", report.aside);
        ensure!(report.pulled as u64 == held - 1, "pulled {} of the {held} stored events (one changed)", report.pulled);
        ensure!(auditor.event_count()? == held - 1);
        let aside = auditor.aside_events()?;
        let kept = aside.first().context("an event kept aside")?;
        ensure!(kept.event_id.as_deref() == Some(patrolsync_tests::device::uuid_text(&id).as_str()), "{aside:?}");
        ensure!(kept.problem.contains("服务器已扣留"), "{aside:?}");
        let patrols = local_projection(&auditor)?.patrols.len();
        ensure!(patrols == pushed - 1, "{patrols} patrols folded of {pushed}: the changed one is not");
        Ok(())
    })
}
