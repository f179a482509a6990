//! The storm phase of `patrolsync-load`: many devices, logged in beforehand, all syncing at once;
//! prints its latencies, the events its pulls served, the server's CPU in it by thread, and the
//! least time all its CPU (the server's and the bench's) allows on this machine's cores.

use anyhow::{Result, bail};
use futures_util::StreamExt as _;
use futures_util::future::join_all;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::counties::BenchCounty;
use crate::phases::{DAY_MS, history, login, patrol_spacing_ms, request, url_of};
use crate::wire::{Traffic, check_acks, encode, percentile_with_failures, send, show_ms};
use patrolsync_tests::raw::now_ms;

/// `n` devices, logged in beforehand (spread over the counties), all sync at once: push `events`
/// patrols of `points` fixes each and pull their village.
pub async fn storm(
    http: &reqwest::Client,
    (urls, pids): (&[String], &[u32]),
    password: &str,
    (n, events, points): (usize, usize, usize),
    counties: &[BenchCounty],
) -> Result<()> {
    let login_started = Instant::now();
    let mut devices = login(url_of(urls, 0), password, n.div_ceil(counties.len().max(1)), counties).await?;
    devices.truncate(n);
    println!("storm: {n} devices logged in in {:.1} s (argon2id, 2 at a time)", login_started.elapsed().as_secs_f64());
    // Phones that sync regularly: each has pulled its village before the storm.
    let catch_up = futures_util::stream::iter(devices.iter_mut().map(|d| patrolsync_tests::fill::catch_up(&mut d.raw)));
    futures_util::StreamExt::buffer_unordered(catch_up, 32).collect::<Vec<_>>().await.into_iter().collect::<Result<Vec<_>>>()?;
    let traffic = Arc::new(Traffic::default());
    let prepared: Vec<(String, Vec<u8>)> = devices
        .iter_mut()
        .enumerate()
        .map(|(i, d)| {
            // The storm's phones are many per officer: each patrols in its own hours, from 300 days back
            // (after the demo assignments begin).
            let start = now_ms() as i64 - 300 * DAY_MS + i as i64 * events as i64 * patrol_spacing_ms(points);
            let history = history(d, (events, 0), points, 500_000 + i, start, patrol_spacing_ms(points));
            Ok((d.raw.token.clone().unwrap_or_default(), encode(&request(&history, &d.raw))?))
        })
        .collect::<Result<_>>()?;
    let own = [std::process::id()];
    let (cpu_before, own_before) = (crate::threads::cpu_ns(pids), crate::threads::cpu_ns(&own));
    let started = Instant::now();
    let tasks = prepared.iter().enumerate().map(|(i, (token, body))| {
        let (http, traffic, url) = (http.clone(), traffic.clone(), url_of(urls, i));
        async move {
            // Timed here, so that a request that fails is timed too.
            let sent = Instant::now();
            let outcome = send(&http, url, token, body.clone(), &traffic).await.and_then(|(reply, _)| {
                check_acks(&reply, events)?;
                Ok(reply.pages.iter().map(|p| p.events.len()).sum::<usize>())
            });
            (outcome, sent.elapsed())
        }
    });
    let results = join_all(tasks).await;
    let elapsed = started.elapsed();
    let (cpu_after, own_after) = (crate::threads::cpu_ns(pids), crate::threads::cpu_ns(&own));
    let failed: Vec<String> = results.iter().filter_map(|(r, _)| r.as_ref().err().map(|e| format!("{e:#}"))).collect();
    let mut latencies: Vec<Duration> = results.iter().filter(|(r, _)| r.is_ok()).map(|(_, took)| *took).collect();
    latencies.sort();
    println!(
        "storm: {n} devices syncing at once ({events} events each, plus their village's pull): all done in {:.2} s; p50 {}, p99 {} (failed requests counted as slowest); {} errors",
        elapsed.as_secs_f64(),
        show_ms(percentile_with_failures(&latencies, failed.len(), 0.5)),
        show_ms(percentile_with_failures(&latencies, failed.len(), 0.99)),
        failed.len(),
    );
    // The pulls serve the other devices' new events of each village, many more than were pushed.
    let pulled: usize = results.iter().filter_map(|(r, _)| r.as_ref().ok()).sum();
    println!(
        "storm: the pulls served {pulled} events in all; {:.1} bytes/event sent, {:.1} bytes received per event pushed",
        traffic.sent.load(Ordering::Relaxed) as f64 / (n * events) as f64,
        traffic.received.load(Ordering::Relaxed) as f64 / (n * events) as f64,
    );
    // Where the storm's time went on the server (not printed when the bench cannot read it), and
    // what the bench's own phones took of the same cores (their requests, and reading the replies).
    if let (Some(before), Some(after)) = (&cpu_before, &cpu_after)
        && !after.is_empty()
    {
        println!("storm: the server's CPU in it, by thread: {}", crate::threads::spent(before, after));
    }
    if let (Some(before), Some(after), Some(server_before), Some(server_after)) = (&own_before, &own_after, &cpu_before, &cpu_after) {
        let own = crate::threads::total_s(before, after);
        let all = own + crate::threads::total_s(server_before, server_after);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        // The last replies cannot come before all the storm's work is done, however it is shared out.
        println!(
            "storm: the bench's own CPU in it (its phones' HTTP client and replies read): {own:.2} s; with the server's, {all:.2} s of CPU, so on {cores} cores the storm cannot end in less than {:.2} s",
            all / cores as f64
        );
    }
    if let Some(first) = failed.first() {
        bail!("{} of {n} storm requests failed; the first: {first}", failed.len());
    }
    Ok(())
}
