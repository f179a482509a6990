//! The durable ack of ingest, through the real server process: what the server acknowledged is
//! still stored after a SIGKILL. The other ingest rules run in-process (`api/ingest.rs`).

use anyhow::Result;
use patrolsync_tests::raw::now_ms;
use patrolsync_tests::server::TestServer;
use patrolsync_tests::{DEMO_PASSWORD, tracks};
use sync_protocol::ids::ZoneId;
use sync_protocol::wire::AckStatus;

const OFFICER: &str = "vo-t01-v01";

#[tokio::test]
async fn acknowledged_events_survive_a_sigkill() -> Result<()> {
    let mut server = TestServer::start()?;
    let mut d = server.device(OFFICER).await?;
    let zone = ZoneId::new("Z-T01-V01")?;
    let start = now_ms() as i64 - 3_600_000;
    let events: Vec<_> = (0..50).map(|i| d.seal(&tracks::patrol(&zone, start + i * 60_000, 20, i as u64))).collect();
    let acked = d.sync(&events).await?;
    assert!(acked.acks.iter().all(|a| a.status == AckStatus::Accepted));
    server.kill();
    server.restart()?;
    d.reconnect(&server.url())?;
    let sql = format!("SELECT count(*) FROM events WHERE author = '{OFFICER}'");
    let stored: i64 = server.open_store()?.query_row(&sql, [], |r| r.get(0))?;
    assert_eq!(stored, 50);
    let login = d.login(DEMO_PASSWORD).await?;
    assert_eq!(login.next_seq, 51);
    Ok(())
}
