//! A county auditor's new phone pulls many pages: after the first round the rest is fetched a
//! page ahead on a second thread (`client/src/sync/prefetch.rs`) while the replica applies the
//! page before (here in pages of 300, to have several). The replica ends with exactly the
//! server's fold of the county, every event once, and a second sync finds nothing more.

use anyhow::{Result, ensure};
use patrolsync_client::sync;
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
        let api = sync::Api::new(&url)?.with_pull_page(300);

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
