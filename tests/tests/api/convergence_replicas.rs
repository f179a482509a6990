//! Convergence end to end: random offline histories of three device replicas (two phones of the
//! officer of village T01-V01, one of the officer of T01-V02) against the real server process,
//! with random sync interleavings, including syncs whose reply is lost (a TCP proxy forwards the
//! request and cuts the connection once the server starts answering, i.e. after it committed).
//! Afterwards every replica's projection equals the server's `GET /v1/projection` for its user,
//! and a township inspector's fresh replica equals the server's projection of the township.

use anyhow::{Context, Result, ensure};
use patrolsync_client::replica::{NewFinding, Replica};
use patrolsync_client::sync::{self, Api};
use patrolsync_tests::app::{TestApp, spawn_app};
use patrolsync_tests::device::{local_projection, new_patrol, phone, server_projection, walk};
use patrolsync_tests::raw::now_ms;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::net::SocketAddr;
use sync_protocol::body::{FindingKind, PatrolResult};
use sync_protocol::ids::ZoneId;
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};

/// (login name, the zone they are assigned, a zone they are not)
const PHONES: [(&str, &str, &str); 3] =
    [("vo-t01-v01", "Z-T01-V01", "Z-T01-V02"), ("vo-t01-v01", "Z-T01-V01", "Z-T01-V02"), ("vo-t01-v02", "Z-T01-V02", "Z-T01-V01")];

#[derive(Debug, Clone)]
enum Op {
    /// A patrol in the phone's zone, or (`elsewhere`) in a zone not assigned: rejected at ingest.
    Patrol {
        phone: usize,
        elsewhere: bool,
    },
    ZeroReport {
        phone: usize,
    },
    /// Amends the `pick`-th patrol of the phone's officer that the phone holds, if any.
    Amend {
        phone: usize,
        pick: usize,
    },
    Finding {
        phone: usize,
        pick: usize,
    },
    Sync {
        phone: usize,
    },
    /// A sync whose reply is lost after the server committed the push.
    LostReply {
        phone: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let phone = 0..PHONES.len();
    prop_oneof![
        4 => (phone.clone(), prop::bool::weighted(0.2)).prop_map(|(phone, elsewhere)| Op::Patrol { phone, elsewhere }),
        1 => phone.clone().prop_map(|phone| Op::ZeroReport { phone }),
        1 => (phone.clone(), 0..4usize).prop_map(|(phone, pick)| Op::Amend { phone, pick }),
        1 => (phone.clone(), 0..4usize).prop_map(|(phone, pick)| Op::Finding { phone, pick }),
        3 => phone.clone().prop_map(|phone| Op::Sync { phone }),
        2 => phone.prop_map(|phone| Op::LostReply { phone }),
    ]
}

/// A proxy to `upstream` that forwards each request and drops the connection as soon as the
/// reply starts: the server has committed (it acks only what is committed) but the device never
/// hears of it. Returns the proxy's URL.
async fn reply_dropping_proxy(upstream: SocketAddr) -> Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Ok(server) = TcpStream::connect(upstream).await else { return };
                let (mut client_read, client_write) = client.into_split();
                let (mut server_read, mut server_write) = server.into_split();
                let forward = tokio::spawn(async move { tokio::io::copy(&mut client_read, &mut server_write).await });
                let mut first = [0u8; 1];
                let _ = server_read.read(&mut first).await;
                forward.abort();
                drop(client_write);
            });
        }
    });
    Ok(url)
}

struct Phone {
    replica: Replica,
    zone: ZoneId,
    elsewhere: ZoneId,
}

async fn run_case(server: &TestApp, proxy: &str, ops: &[Op]) -> Result<()> {
    let url = server.url();
    let dir = tempfile::tempdir()?;
    let mut phones = Vec::new();
    for (i, (user, zone, elsewhere)) in PHONES.iter().enumerate() {
        let mut replica = phone(&dir.path().join(format!("phone-{i}.db")), &url, user).await?;
        sync::sync(&mut replica).await?;
        phones.push(Phone { replica, zone: ZoneId::new(*zone)?, elsewhere: ZoneId::new(*elsewhere)? });
    }
    let lossy = Api::new(proxy, &Default::default())?;
    let start = now_ms() as i64 - 12 * 3_600_000;
    for (n, op) in ops.iter().enumerate() {
        let at = start + n as i64 * 600_000;
        match *op {
            Op::Patrol { phone, elsewhere } => {
                let p = &mut phones[phone];
                let zone = if elsewhere { p.elsewhere.clone() } else { p.zone.clone() };
                p.replica.record_patrol(new_patrol(Some(&zone), walk(&zone, at, 4, n as u64), &format!("op {n}")))?;
            }
            Op::ZeroReport { phone } => {
                phones[phone].replica.file_zero_report(None, format!("quiet, op {n}"))?;
            }
            Op::Amend { phone, pick } | Op::Finding { phone, pick } => {
                let r = &mut phones[phone].replica;
                let me = r.require_active()?.user;
                let theirs: Vec<_> = r.projection()?.patrols.into_values().filter(|p| p.officer == me).collect();
                let Some(patrol) = theirs.get(pick % theirs.len().max(1)) else { continue };
                if matches!(op, Op::Amend { .. }) {
                    r.amend_patrol(patrol.id, Some(format!("amended at op {n}")), Some(PatrolResult::Findings), "typo".into())?;
                } else {
                    let location = sync_protocol::values::Coord { lon: 0, lat: 0 };
                    let location =
                        walk(&patrol.zone, at, 1, 0).first().map_or(location, |t| sync_protocol::values::Coord { lon: t.lon, lat: t.lat });
                    r.report_finding(NewFinding {
                        patrol: patrol.id,
                        kind: FindingKind::UnlicensedMining,
                        location,
                        depth_m: None,
                        surface_elevation_m: None,
                        licence: None,
                        mineral: None,
                        description: format!("op {n}"),
                        stopped_on_spot: false,
                        observed_at: Some(patrol.ended_at),
                    })?;
                }
            }
            Op::Sync { phone } => {
                sync::sync(&mut phones[phone].replica).await?;
            }
            Op::LostReply { phone } => {
                let err = sync::sync_with(&mut phones[phone].replica, &lossy).await.err().context("the reply was meant to be lost")?;
                ensure!(!err.is_permanent(), "a lost reply is a transient failure: {err}");
            }
        }
    }
    // Everyone pushes, then everyone pulls what the others pushed.
    for _ in 0..2 {
        for p in &mut phones {
            let report = sync::sync(&mut p.replica).await?;
            ensure!(report.pending == 0, "{report:?}");
        }
    }
    for (i, p) in phones.iter().enumerate() {
        let local = local_projection(&p.replica)?;
        let remote = server_projection(&p.replica, &url).await?;
        ensure!(local == remote, "phone {i} ({}) differs from the server:\nlocal  {local:?}\nserver {remote:?}", PHONES[i].0);
    }
    let county = patrolsync_server::tools::demo::county();
    let inspector = county.inspectors_of(&sync_protocol::ids::UnitId::new("T01")?).next().context("inspector")?.user.clone();
    let mut ti = phone(&dir.path().join("inspector.db"), &url, inspector.as_str()).await?;
    sync::sync(&mut ti).await?;
    let (local, remote) = (local_projection(&ti)?, server_projection(&ti, &url).await?);
    ensure!(local == remote, "the inspector differs from the server:\nlocal  {local:?}\nserver {remote:?}");
    let ours = phones.iter().map(|p| p.replica.projection().map(|p| p.patrols.len())).collect::<Result<Vec<_>, _>>()?;
    ensure!(local.patrols.len() >= ours.into_iter().max().unwrap_or(0), "the township holds every village's patrols");
    Ok(())
}

#[test]
fn replicas_converge_to_the_server_after_random_offline_histories_and_lost_replies() -> Result<()> {
    let server = spawn_app()?;
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let upstream: SocketAddr = format!("127.0.0.1:{}", server.port).parse()?;
    let proxy = rt.block_on(reply_dropping_proxy(upstream))?;
    let config = Config { cases: 8, max_shrink_iters: 16, failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&prop::collection::vec(op(), 8..24), |ops| {
        rt.block_on(run_case(&server, &proxy, &ops)).map_err(|e| TestCaseError::fail(format!("{e:#}")))
    });
    result.map_err(|e| anyhow::anyhow!("{e}"))
}
