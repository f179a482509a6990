//! The bench's phases: push offline histories, the reports on what they filled (`reports`), pull
//! them back, a 100-event delta, and a storm of devices syncing at once. Each phase prints what it measured.

use anyhow::{Context, Result, bail};
use futures_util::future::join_all;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use sync_protocol::event::Event;
use sync_protocol::ids::{UnitId, ZoneId};
use sync_protocol::values::{Coord, IsoWeek};
use sync_protocol::wire::MAX_PUSH_EVENTS;

pub(crate) const DAY_MS: i64 = 86_400_000;

use crate::Args;
use crate::counties::BenchCounty;
use crate::wire::{Traffic, check_acks, client, encode, percentile, send, sync};
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::tracks;

/// A logged-in device with its officer's zone and the zone's centre.
pub(crate) struct Device {
    pub(crate) raw: RawDevice,
    pub(crate) zone: ZoneId,
    centre: Coord,
    /// The zone's township, whose inspector works the cases on its findings.
    pub(crate) township: UnitId,
    /// The device's county, in the deployment's order.
    pub(crate) county: usize,
}

/// The phases against the servers at `urls` (one, or several processes of one deployment, each
/// device syncing with one of them in turn), whose processes are `pids`, on the deployment's
/// `counties` (each with `args.devices` devices).
pub async fn run(args: &Args, urls: &[String], pids: &[u32], counties: &[BenchCounty]) -> Result<()> {
    println!("patrolsync-load against {}", urls.join(", "));
    let url = urls.first().map(String::as_str).unwrap_or_default();
    let http = client()?;
    let mut devices = login(url, &args.password, args.devices, counties).await?;
    // Each device's patrols this far apart: the densest history, or spread to the weekly rate asked.
    let spread = (7 * DAY_MS * args.devices as i64).checked_div(args.patrols_per_week as i64).unwrap_or(0);
    let spacing = patrol_spacing_ms(args.points).max(spread);
    // A month back, or as far back as the histories need to end by now.
    let span = args.events_per_device as i64 * spacing;
    let start = now_ms() as i64 - (30 * DAY_MS).max(span + 2 * DAY_MS);
    let week = history_week(start, span, spacing, args.devices, counties.len())?;
    let mut histories: Vec<Vec<Event>> = devices
        .iter_mut()
        .enumerate()
        .map(|(i, d)| history(d, (args.events_per_device, args.astray_every), args.points, i, start, spacing))
        .collect();
    let found = crate::casework::findings(&mut devices, &mut histories, args.finding_every)?;
    let event_bytes = histories.iter().flatten().map(|e| serde_json::to_vec(e).map_or(0, |v| v.len())).sum::<usize>()
        / histories.iter().map(Vec::len).sum::<usize>().max(1);
    println!(
        "  {} devices{}, {} events each, {} bytes per event as JSON ({} track points)",
        devices.len(),
        if counties.len() > 1 { format!(" ({} in each of {} counties)", args.devices, counties.len()) } else { String::new() },
        args.events_per_device,
        event_bytes,
        args.points
    );

    let astray = match args.astray_every {
        0 => "none walked astray".to_owned(),
        n => format!("one patrol in {n} walked astray (outside its zone)"),
    };
    println!("  and {} findings, each with a photo declared and never uploaded; {astray}", found.len());
    push(&http, urls, &args.password, &mut devices, histories).await?;
    crate::casework::open_cases(url, &args.password, counties, &found).await?;
    if args.reports > 0 {
        crate::reports::run(url, &args.password, week, args.reports, counties).await?;
        // The figure once filled and read, before the phases that follow.
        print_peak_memory(pids, "after the reports");
    }
    if args.console > 0 {
        crate::console::run(url, &args.password, week, args.console, counties.first().and_then(|c| c.code.as_deref())).await?;
        print_peak_memory(pids, "after the console's pages");
    }
    // Fresh connections for the pull (a reset in it was seen at 10 counties, not diagnosed).
    pull(&client()?, urls, &args.password, &devices, counties).await?;
    delta(&http, urls, &mut devices).await?;
    if args.storm_devices > 0 {
        crate::storm::storm(&http, (urls, pids), &args.password, (args.storm_devices, args.storm_events, args.points), counties).await?;
    }
    print_peak_memory(pids, "");
    Ok(())
}

/// Prints each server process's peak memory so far, `when` (empty: at the end).
fn print_peak_memory(pids: &[u32], when: &str) {
    let when = if when.is_empty() { String::new() } else { format!(" {when}") };
    for pid in pids {
        println!("server peak memory (VmHWM) of process {pid}{when}: {} MiB", peak_memory_kib(*pid).unwrap_or(0) / 1024);
    }
}

/// The server the `i`th device syncs with: the processes in turn.
pub(crate) fn url_of(urls: &[String], i: usize) -> &str {
    urls.get(i % urls.len().max(1)).map(String::as_str).unwrap_or_default()
}

/// The week the reports are asked for: the one holding the middle of the histories, which begin
/// at `start` and last `span` ms, each of the `devices` of each of `counties` counties patrolling
/// every `spacing` ms. Refuses histories that
/// begin before the demo county's zones and assignments (the server would refuse their patrols)
/// or that do not hold that whole week; prints the span and the week's patrols.
fn history_week(start: i64, span: i64, spacing: i64, devices: usize, counties: usize) -> Result<IsoWeek> {
    let epoch = patrolsync_server::tools::demo::EPOCH_MS;
    let week_ms = (7 * DAY_MS) as f64;
    if start < epoch {
        let patrols = devices as f64 * span as f64 / spacing as f64;
        bail!(
            "the histories would begin {} days before the demo county's zones and assignments (2026-01-01), whose patrols \
             the server refuses: ask for fewer events per device, or at least {:.0} patrols a week",
            (epoch - start) / DAY_MS + 1,
            (week_ms * patrols / (now_ms() as i64 - 2 * DAY_MS - epoch) as f64).ceil(),
        );
    }
    let week = IsoWeek::of_ms(start + span / 2);
    let (from, to) = week.bounds_ms();
    if from < start || to > start + span {
        bail!("the histories ({} days) do not hold a whole week: ask for more events per device", span / DAY_MS);
    }
    println!(
        "  histories over {:.1} weeks from {}; the reports' week {week} holds about {:.0} patrols{}{}",
        span as f64 / week_ms,
        crate::reports::county_day(start),
        week_ms / spacing as f64 * devices as f64,
        if counties > 1 { " in each county" } else { "" },
        if from - 21 * DAY_MS < start { " (the four-week ledgers reach before the histories begin)" } else { "" },
    );
    Ok(week)
}

/// Logs in `n` device identities in each county, spread over its officers; county by county.
pub(crate) async fn login(url: &str, password: &str, n: usize, counties: &[BenchCounty]) -> Result<Vec<Device>> {
    let logins = counties.iter().map(|c| patrolsync_tests::fill::officers_of(url, password, n, 0, &c.county, c.code.as_deref()));
    let devices = join_all(logins).await.into_iter().collect::<Result<Vec<_>>>().map_err(explain_login_limit)?;
    let mut out = Vec::new();
    for (county, (c, devices)) in counties.iter().zip(devices).enumerate() {
        for d in devices {
            let township = c.county.zone_of(&d.raw.user).with_context(|| format!("{} has a zone", d.raw.user))?.township.clone();
            out.push(Device { raw: d.raw, zone: d.zone, centre: d.centre, township, county });
        }
    }
    Ok(out)
}

/// The bench logs in thousands of devices from one address: a server started with the default
/// per-address login limit answers 429. Says what to set rather than only failing.
fn explain_login_limit(e: anyhow::Error) -> anyhow::Error {
    if !format!("{e:#}").contains("answered 429") {
        return e;
    }
    e.context(
        "the server limits logins per address ([auth.per_ip]); start the server the bench runs against with \
         PATROLSYNC_AUTH_PER_IP_PER_MINUTE=1000000 PATROLSYNC_AUTH_PER_IP_BURST=100000 (docs/benchmarks.md)",
    )
}

/// Time between two fixes of a bench patrol: 20 fixes last 31 min 40 s, over the 30 min a patrol
/// needs in its zone to count.
const FIX_EVERY_MS: i64 = 100_000;

/// Time between the starts of two patrols of one device: a patrol's length and 200 s more, so none
/// overlaps the next (35 min for 20 fixes).
pub(crate) fn patrol_spacing_ms(points: usize) -> i64 {
    points.saturating_sub(1) as i64 * FIX_EVERY_MS + 200_000
}

/// A device's offline history: `n` patrols from `start` (Unix ms), one every `spacing` ms (at
/// least [`patrol_spacing_ms`]), sealed before the clock starts. Each but one in `astray_every`
/// (0: none) is a patrol that counts toward the quota and raises no flag (a lap round the zone's
/// centre, none overlapping another of the officer's, none a copy of another): flags are the
/// exception in real traffic. The others walk the same lap outside the zone
/// ([`crate::casework::astray`]) and raise `outside_zone`.
pub(crate) fn history(
    d: &mut Device,
    (n, astray_every): (usize, usize),
    points: usize,
    seed: usize,
    start: i64,
    spacing: i64,
) -> Vec<Event> {
    let patrol = |i: usize| {
        let centre = if crate::casework::is_astray(i, astray_every) { crate::casework::astray(d.centre) } else { d.centre };
        tracks::counting_patrol_about(&d.zone, centre, start + i as i64 * spacing, points, (seed * 1_000_003 + i) as u64, FIX_EVERY_MS)
    };
    (0..n).map(|i| d.raw.seal(&patrol(i))).collect()
}

/// A push request, serialised straight from the events.
#[derive(serde::Serialize)]
pub(crate) struct Push<'a> {
    events: &'a [Event],
    cursors: &'a std::collections::BTreeMap<sync_protocol::scope::Bucket, u64>,
    hlc: sync_protocol::hlc::Hlc,
}

pub(crate) fn request<'a>(events: &'a [Event], d: &'a RawDevice) -> Push<'a> {
    Push { events, cursors: &d.cursors, hlc: d.hlc }
}

async fn push(http: &reqwest::Client, urls: &[String], password: &str, devices: &mut [Device], histories: Vec<Vec<Event>>) -> Result<()> {
    let traffic = Arc::new(Traffic::default());
    let total: usize = histories.iter().map(Vec::len).sum();
    // Each device has its requests ready (its own CPU's work) before the clock starts.
    let bodies: Vec<Vec<(Vec<u8>, usize)>> = devices
        .iter()
        .zip(&histories)
        .map(|(d, history)| {
            history.chunks(MAX_PUSH_EVENTS).map(|batch| Ok((encode(&request(batch, &d.raw))?, batch.len()))).collect::<Result<_>>()
        })
        .collect::<Result<_>>()?;
    // Sealing and encoding a million events on a busy machine can outlast an access token (15 min
    // at most): each device logs in again, off the clock.
    join_all(devices.iter_mut().map(|d| d.raw.login(password))).await.into_iter().collect::<Result<Vec<_>>>()?;
    let started = Instant::now();
    let tasks = devices.iter_mut().zip(bodies).enumerate().map(|(i, (d, bodies))| {
        let (http, traffic, url) = (http.clone(), traffic.clone(), url_of(urls, i));
        async move {
            let mut token = d.raw.token.clone().unwrap_or_default();
            let mut latencies = Vec::new();
            for (body, sent) in bodies {
                let (reply, took) = match send(&http, url, &token, body.clone(), &traffic).await {
                    // A push longer than an access token lives (15 min at most): the device renews
                    // it and sends the refused request again, as a phone does.
                    Err(e) if format!("{e:#}").contains("answered 401") => {
                        token = renew(&mut d.raw).await?;
                        send(&http, url, &token, body, &traffic).await?
                    }
                    answered => answered?,
                };
                check_acks(&reply, sent)?;
                latencies.push(took);
            }
            Ok::<_, anyhow::Error>(latencies)
        }
    });
    let mut latencies: Vec<Duration> = join_all(tasks).await.into_iter().collect::<Result<Vec<_>>>()?.into_iter().flatten().collect();
    let elapsed = started.elapsed();
    latencies.sort();
    println!(
        "push: {total} events in {:.2} s = {:.0} events/s; round trip p50 {:.0} ms, p99 {:.0} ms ({} requests); {:.0} bytes/event sent, {:.1} bytes/event received",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.len(),
        traffic.sent.load(Ordering::Relaxed) as f64 / total as f64,
        traffic.received.load(Ordering::Relaxed) as f64 / total as f64,
    );
    Ok(())
}

/// A new access token for `raw` from its refresh token (`POST /v1/auth/refresh`).
async fn renew(raw: &mut RawDevice) -> Result<String> {
    let refresh = raw.refresh.clone().context("the device holds no refresh token")?;
    let (status, reply) = raw.refresh(&refresh).await?;
    if !status.is_success() {
        bail!("the token's refresh answered {status}: {reply}");
    }
    raw.token = reply["access_token"].as_str().map(str::to_owned);
    raw.refresh = reply["refresh_token"].as_str().map(str::to_owned).or(Some(refresh));
    raw.token.clone().context("the refresh gave no access token")
}

/// New phones for the same officers pull their villages from the start, all at once.
async fn pull(http: &reqwest::Client, urls: &[String], password: &str, devices: &[Device], counties: &[BenchCounty]) -> Result<()> {
    let fresh = login(url_of(urls, 0), password, devices.len() / counties.len().max(1), counties).await?;
    let traffic = Arc::new(Traffic::default());
    let started = Instant::now();
    let tasks = fresh.iter().enumerate().map(|(i, d)| {
        let (http, traffic, token, hlc, url) =
            (http.clone(), traffic.clone(), d.raw.token.clone().unwrap_or_default(), d.raw.hlc, url_of(urls, i));
        async move {
            let mut cursors = serde_json::Map::new();
            let (mut events, mut latencies) = (0usize, Vec::new());
            loop {
                let body = json!({ "events": [], "cursors": cursors, "hlc": hlc, "limit": 5_000 });
                let (reply, took) = sync(&http, url, &token, &body, &traffic).await?;
                latencies.push(took);
                for page in &reply.pages {
                    events += page.events.len();
                    cursors.insert(page.bucket.to_string(), json!(page.cursor));
                }
                if !reply.more() {
                    return Ok::<_, anyhow::Error>((events, latencies));
                }
            }
        }
    });
    let results = join_all(tasks).await.into_iter().collect::<Result<Vec<_>>>()?;
    let elapsed = started.elapsed();
    let events: usize = results.iter().map(|(n, _)| n).sum();
    let mut latencies: Vec<Duration> = results.into_iter().flat_map(|(_, l)| l).collect();
    latencies.sort();
    println!(
        "pull: {events} events in {:.2} s = {:.0} events/s; round trip p50 {:.0} ms, p99 {:.0} ms; {:.0} bytes/event received",
        elapsed.as_secs_f64(),
        events as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        traffic.received.load(Ordering::Relaxed) as f64 / events.max(1) as f64,
    );
    Ok(())
}

/// 100 new events recorded offline, then one sync: push and the pull of the delta in one round trip.
async fn delta(http: &reqwest::Client, urls: &[String], devices: &mut [Device]) -> Result<()> {
    let traffic = Traffic::default();
    let mut latencies = Vec::new();
    for (i, d) in devices.iter_mut().take(20).enumerate() {
        let url = url_of(urls, i);
        // A fresh token (the push may have outlasted the last), then the device's cursors brought
        // to the present, so the delta is only the new events.
        let token = renew(&mut d.raw).await?;
        loop {
            let (reply, _) =
                sync(http, url, &token, &json!({"events": [], "cursors": d.raw.cursors, "hlc": d.raw.hlc, "limit": 5_000}), &traffic)
                    .await?;
            for page in &reply.pages {
                d.raw.cursors.insert(page.bucket.clone(), page.cursor);
            }
            if !reply.more() {
                break;
            }
        }
        // After the push phase's histories (which end more than 5 days back), before now.
        let start = now_ms() as i64 - 4 * DAY_MS;
        let (zone, centre) = (d.zone.clone(), d.centre);
        let every = patrol_spacing_ms(20);
        let events: Vec<Event> = (0..100)
            .map(|i| d.raw.seal(&tracks::counting_patrol_about(&zone, centre, start + i * every, 20, 900_000_000 + i as u64, FIX_EVERY_MS)))
            .collect();
        let body = encode(&request(&events, &d.raw))?;
        let (reply, took) = send(http, url, &token, body, &traffic).await?;
        check_acks(&reply, events.len())?;
        if reply.more() {
            bail!("the delta did not complete in one round trip");
        }
        latencies.push(took);
    }
    latencies.sort();
    println!(
        "delta: 100 events pushed and the delta pulled in one round trip: p50 {:.1} ms, max {:.1} ms (over {} devices)",
        percentile(&latencies, 0.5),
        percentile(&latencies, 1.0),
        latencies.len()
    );
    Ok(())
}

fn peak_memory_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.split_whitespace().next()?.parse().ok())
}
