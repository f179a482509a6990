//! What the console's test finds in the store before the browser opens: the demo county with a
//! patrol in T01-V01 (its last third outside the zone) and its amendment, three findings on it
//! (one received into a verified case, one into a case in conflict, one not received), a tip with
//! an informant, and a phone of T01 that logged in and never synced.

use anyhow::{Result, bail, ensure};
use patrolsync_tests::app::TestApp;
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::{DEMO_PASSWORD, office, tracks};
use std::path::PathBuf;
use sync_protocol::body::{Body, FindingKind, Mineral, PatrolAmended};
use sync_protocol::ids::{DeviceId, EventId, ZoneId};
use sync_protocol::wire::AckStatus;

pub struct World {
    pub patrol: EventId,
    /// The patrol's `patrol.amended`.
    pub amendment: EventId,
    /// The ISO week of the patrol (county time).
    pub week: String,
    pub fixes: usize,
    /// A verified case on the rare-earth finding.
    pub case: EventId,
    /// A case in conflict: closed by one inspector of T01 against referred by the other.
    pub conflict: EventId,
    /// A finding of T01 that no case names.
    pub unreceived: EventId,
    /// vo-t01-v02's phone: logged in, never synced.
    pub never_synced: DeviceId,
    pub inspector: RawDevice,
    pub auditor: RawDevice,
    /// The store's file, which the last step changes behind the server's back.
    pub db: PathBuf,
    /// The PostgreSQL database of the store, when it is not the SQLite file `db`.
    pub store_url: Option<String>,
}

pub async fn accepted(d: &mut RawDevice, body: &Body) -> Result<EventId> {
    let e = d.seal(body);
    let r = d.sync(std::slice::from_ref(&e)).await?;
    ensure!(r.acks[0].status == AckStatus::Accepted, "{} by {}: {:?}", body.kind(), d.user, r.acks[0].reason);
    Ok(e.id)
}

/// Two inspectors of T01 act on the verified case `case` without seeing each other: one closes
/// it, the other refers it. Only the county may resolve that conflict.
async fn conflict(case: EventId, verified: EventId, inspector: &mut RawDevice, other: &mut RawDevice) -> Result<()> {
    accepted(inspector, &office::close(case, "T01", verified)).await?;
    accepted(other, &office::refer(case, "T01", verified)).await?;
    Ok(())
}

pub async fn world(server: &TestApp) -> Result<World> {
    let device = |user: &str| RawDevice::new(&server.url(), user);
    let (mut officer, mut inspector, mut auditor, mut other) =
        (device("vo-t01-v01")?, device("ti-t01-1")?, device("ca-1")?, device("ti-t01-2")?);
    for d in [&mut officer, &mut inspector, &mut auditor, &mut other] {
        d.login(DEMO_PASSWORD).await?;
    }
    let mut idle = device("vo-t01-v02")?;
    idle.login(DEMO_PASSWORD).await?;
    let zone: ZoneId = "Z-T01-V01".parse()?;
    let start = now_ms() as i64 - 3 * 3_600_000;
    let mut body = tracks::patrol(&zone, start, 60, 7);
    let fixes = match &mut body {
        Body::PatrolRecorded(p) => {
            // The last third walks east out of the zone, 0.002° (about 200 m) a fix.
            let from = p.track.len() * 2 / 3;
            p.track.iter_mut().enumerate().skip(from).for_each(|(i, fix)| fix.lon += (i - from + 1) as i32 * 20_000);
            p.track.len()
        }
        _ => bail!("a patrol"),
    };
    let patrol = accepted(&mut officer, &body).await?;
    let amended =
        PatrolAmended {
            patrol, summary: Some("河岸及旧采石场路 补记".into()), result: None, reason: "漏记路线 route left out".into()
        };
    let amendment = accepted(&mut officer, &Body::PatrolAmended(amended)).await?;
    let finding = |at: i64, kind, mineral| tracks::finding(&zone, patrol, at, kind, mineral);
    let rare = accepted(&mut officer, &finding(start + 600_000, FindingKind::UnlicensedMining, Some(Mineral::RareEarth))).await?;
    let second = accepted(&mut officer, &finding(start + 1_200_000, FindingKind::IllegalTrading, None)).await?;
    let unreceived = accepted(&mut officer, &finding(start + 1_800_000, FindingKind::Other, None)).await?;
    let case = accepted(&mut inspector, &office::open_on_finding(rare, "T01")).await?;
    accepted(&mut inspector, &office::verify(case, "T01", case)).await?;
    let disputed = accepted(&mut inspector, &office::open_on_finding(second, "T01")).await?;
    let verified = accepted(&mut inspector, &office::verify(disputed, "T01", disputed)).await?;
    conflict(disputed, verified, &mut inspector, &mut other).await?;
    let tip = accepted(&mut auditor, &office::tip_received("T01", start)).await?;
    accepted(&mut auditor, &office::informant(tip, "T01")).await?;
    let week = sync_protocol::values::IsoWeek::of_ms(start).to_string();
    Ok(World {
        patrol,
        amendment,
        week,
        fixes,
        case,
        conflict: disputed,
        unreceived,
        never_synced: idle.device,
        inspector,
        auditor,
        db: server.db(),
        store_url: server.store_url.clone(),
    })
}
