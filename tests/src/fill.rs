//! Filling a server's store with field data for the benches: demo officers' devices, each with an
//! offline history of patrols sealed before it is pushed, pushed by all devices at once (so the
//! server commits them interleaved, far from HLC order, as phones back from days offline do).

use anyhow::{Result, bail};
use futures_util::future::join_all;
use patrolsync_server::tools::demo::DemoCounty;
use sync_protocol::event::Event;
use sync_protocol::ids::ZoneId;
use sync_protocol::values::Coord;
use sync_protocol::wire::{AckStatus, MAX_PUSH_EVENTS};

use crate::raw::{RawDevice, now_ms};
use crate::tracks;

/// A logged-in officer's device with its zone and where its patrols have got to.
pub struct FieldDevice {
    pub raw: RawDevice,
    pub zone: ZoneId,
    /// The zone's centre, where its patrols walk.
    pub centre: Coord,
    /// Index of its next patrol (each patrol starts half an hour after the one before).
    next: usize,
    /// Start of its first patrol, Unix ms.
    start: i64,
    seed: usize,
}

/// `n` devices logged in at once, spread over the demo county's officers, whose patrols start
/// `days_back` days before now.
pub async fn officers(url: &str, password: &str, n: usize, days_back: i64) -> Result<Vec<FieldDevice>> {
    officers_of(url, password, n, days_back, &patrolsync_server::tools::demo::county(), None).await
}

/// [`officers`] of `county`, a county of the deployment at `url` whose devices log in naming it
/// (`code`; none for a deployment of one county).
pub async fn officers_of(
    url: &str,
    password: &str,
    n: usize,
    days_back: i64,
    county: &DemoCounty,
    code: Option<&str>,
) -> Result<Vec<FieldDevice>> {
    let officers: Vec<_> = county
        .officers()
        .iter()
        .map(|o| (o.user.clone(), county.zone_of(&o.user).map(|z| (z.zone.clone(), tracks::centre_of(z)))))
        .collect();
    if officers.is_empty() {
        bail!("the county has no officers");
    }
    let start = now_ms() as i64 - days_back * 86_400_000;
    let tasks = (0..n).map(|i| {
        let (user, zone) = officers[i % officers.len()].clone();
        let (url, password) = (url.to_string(), password.to_string());
        async move {
            let mut raw = RawDevice::new(&url, user.as_str())?;
            raw.county = code.map(str::to_owned);
            log_in(&mut raw, &url, &password).await?;
            let (zone, centre) = zone.ok_or_else(|| anyhow::anyhow!("{user} has no zone"))?;
            Ok::<_, anyhow::Error>(FieldDevice { raw, zone, centre, next: 0, start, seed: i })
        }
    });
    join_all(tasks).await.into_iter().collect()
}

/// Logins (or pushes of one batch) sent in all for one device before its error stands.
const LOGIN_TRIES: u32 = 3;

/// Logs `raw` in as a phone would: a login whose request never reached the server is sent again on
/// a fresh connection. When thousands of connections open at once on a loaded machine, actix
/// answers `408` and closes one whose request it has not read within its timeout, and the client
/// sees its request fail to send; any answer from the server stands.
async fn log_in(raw: &mut RawDevice, url: &str, password: &str) -> Result<()> {
    let mut tries = 1;
    loop {
        match raw.login(password).await {
            Ok(_) => return Ok(()),
            Err(e) if tries < LOGIN_TRIES && never_sent(&e) => {
                tries += 1;
                raw.reconnect(url)?;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Pushes `batch` as a phone does: a push whose request failed before any answer came back is sent
/// again on a fresh connection ([`log_in`] says when that happens), up to [`LOGIN_TRIES`] times in
/// all; any answer from the server stands.
async fn push_resending(raw: &mut RawDevice, batch: &[Event], url: &str) -> Result<sync_protocol::wire::SyncResponse<Event>> {
    let mut tries = 1;
    loop {
        match raw.sync(batch).await {
            Err(e) if tries < LOGIN_TRIES && never_sent(&e) => {
                tries += 1;
                raw.reconnect(url)?;
            }
            answered => return answered,
        }
    }
}

/// Pulls what is new in `raw`'s scope, as a phone catching up does: a pull whose request failed
/// before any answer came back is sent again on a fresh connection ([`log_in`] says when that
/// happens; here also a kept-alive connection the server closed as idle while other devices logged
/// in), up to [`LOGIN_TRIES`] times in all; any answer from the server stands.
pub async fn catch_up(raw: &mut RawDevice) -> Result<()> {
    let mut tries = 1;
    loop {
        match raw.pull_all().await {
            Err(e) if tries < LOGIN_TRIES && never_sent(&e) => {
                tries += 1;
                let url = raw.url.clone();
                raw.reconnect(&url)?;
            }
            answered => return answered.map(|_| ()),
        }
    }
}

/// Whether `e` is a request that failed before any answer came back.
fn never_sent(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<reqwest::Error>().is_some_and(|r| r.is_request() || r.is_connect()))
}

impl FieldDevice {
    /// Seals the device's next `n` patrols of `points` fixes, one every 30 minutes, a fix a minute.
    pub fn history(&mut self, n: usize, points: usize) -> Vec<Event> {
        (0..n)
            .map(|_| {
                let i = self.next;
                self.next += 1;
                let at = self.start + i as i64 * 1_800_000;
                let body = tracks::patrol_every_about(&self.zone, self.centre, at, points, (self.seed * 1_000_003 + i) as u64, 60_000);
                self.raw.seal(&body)
            })
            .collect()
    }
}

/// Seals `per_device` more patrols on every device, then has all devices push them at once, in
/// requests of at most `MAX_PUSH_EVENTS`. Fails if any event is not accepted.
pub async fn push_histories(devices: &mut [FieldDevice], per_device: usize, points: usize) -> Result<usize> {
    let histories: Vec<Vec<Event>> = devices.iter_mut().map(|d| d.history(per_device, points)).collect();
    let total = histories.iter().map(Vec::len).sum();
    let tasks = devices.iter_mut().zip(histories).map(|(d, history)| async move {
        // Fresh connections: the server may have closed idle ones while the histories were sealed.
        let url = d.raw.url.clone();
        d.raw.reconnect(&url)?;
        for batch in history.chunks(MAX_PUSH_EVENTS) {
            let reply = push_resending(&mut d.raw, batch, &url).await?;
            // A resent push may find its events stored by the try whose answer was lost.
            if let Some(ack) = reply.acks.iter().find(|a| !matches!(a.status, AckStatus::Accepted | AckStatus::Duplicate)) {
                bail!("an event was not accepted: {ack:?}");
            }
        }
        Ok(())
    });
    join_all(tasks).await.into_iter().collect::<Result<Vec<()>>>()?;
    Ok(total)
}
