//! Sending the corpus as the county's phones would: the county imports its extra licences beside
//! the running server, then each phone logs in once and syncs its events in the plan's order, one
//! request per phone and sync time; a finding or review names the event id its patrol was sent as.

use std::process::Command;

use anyhow::{Context, Result, bail, ensure};
use patrolsync_tests::raw::RawDevice;
use patrolsync_tests::server::{TestServer, server_binary};
use sync_protocol::body::{Body, FindingReported, FlagReviewed, Subject, SubjectKind};
use sync_protocol::ids::EventId;
use sync_protocol::wire::{AckStatus, MAX_PUSH_EVENTS};

use crate::plan::{Plan, What};

/// What was sent: each item's event id, and how many sync requests it took.
pub struct Sent {
    pub ids: Vec<EventId>,
    pub requests: usize,
}

/// Imports the plan's extra licences into the server's store, as `reference import` does for a
/// county, while the server runs.
pub fn import_licences(server: &TestServer, plan: &Plan) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("licences.geojson");
    std::fs::write(&file, serde_json::to_vec(&crate::licences::import_file(&plan.imported)?)?)?;
    let out = Command::new(server_binary())
        .arg("reference")
        .arg("import")
        .arg("--db")
        .arg(server.db())
        .arg(&file)
        .env("RUST_LOG", "warn")
        .output()?;
    ensure!(out.status.success(), "reference import failed: {}", String::from_utf8_lossy(&out.stderr));
    Ok(())
}

pub async fn send(url: &str, password: &str, plan: &Plan) -> Result<Sent> {
    let mut phones: Vec<Option<RawDevice>> = (0..plan.phones.len()).map(|_| None).collect();
    let mut ids: Vec<Option<EventId>> = vec![None; plan.items.len()];
    let order = plan.push_order();
    let mut requests = 0;
    let mut k = 0;
    while k < order.len() {
        let first = &plan.items[order[k]];
        let group: Vec<usize> = order[k..]
            .iter()
            .copied()
            .take_while(|&i| plan.items[i].push_at == first.push_at && plan.items[i].phone == first.phone)
            .collect();
        k += group.len();
        let phone = &mut phones[first.phone];
        if phone.is_none() {
            let spec = &plan.phones[first.phone];
            let mut device = RawDevice::new(url, spec.user.as_str())?;
            device.clock_offset_ms = spec.clock_offset_ms;
            device.login(password).await.with_context(|| format!("login of {}'s {}", spec.user, spec.role))?;
            *phone = Some(device);
        }
        let device = phone.as_mut().context("a logged-in phone")?;
        let mut events = Vec::with_capacity(group.len());
        for &i in &group {
            let body = body_of(&plan.items[i].what, &ids)?;
            let event = device.seal(&body);
            ids[i] = Some(event.id);
            events.push(event);
        }
        for chunk in events.chunks(MAX_PUSH_EVENTS) {
            let reply = device.sync(chunk).await?;
            requests += 1;
            if let Some(ack) = reply.acks.iter().find(|a| a.status != AckStatus::Accepted) {
                bail!("an event of {} was not accepted: {ack:?}", device.user);
            }
        }
    }
    let ids = ids.into_iter().collect::<Option<Vec<_>>>().context("every planned event is sent")?;
    Ok(Sent { ids, requests })
}

/// The body of an item, naming the events it refers to by the ids they were sent with.
fn body_of(what: &What, ids: &[Option<EventId>]) -> Result<Body> {
    let sent = |i: usize| ids[i].with_context(|| format!("item {i} is referred to before it is sent"));
    Ok(match what {
        What::Patrol(p) => Body::PatrolRecorded(p.clone()),
        What::Finding { patrol, finding } => Body::FindingReported(FindingReported { patrol: sent(*patrol)?, ..finding.clone() }),
        What::ZeroReport(z) => Body::ZeroReportFiled(z.clone()),
        What::Review { subject, flag, verdict, township } => Body::FlagReviewed(FlagReviewed {
            subject: Subject { kind: SubjectKind::Patrol, id: sent(*subject)? },
            flag: *flag,
            township: township.clone(),
            verdict: *verdict,
            note: "已随同巡查核实 checked on a joint patrol".into(),
        }),
    })
}
