//! The bench's HTTP client: zstd on both directions done by hand, so the bytes that cross the
//! loopback are counted exactly as they travel.

use anyhow::{Result, bail};
use serde_json::value::RawValue;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use sync_protocol::wire::{AckStatus, SyncResponse};

/// Bytes sent and received on the wire (compressed bodies; headers not counted).
#[derive(Default)]
pub struct Traffic {
    pub sent: AtomicU64,
    pub received: AtomicU64,
}

pub fn client() -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder().no_gzip().no_zstd().pool_max_idle_per_host(64).timeout(Duration::from_secs(600)).build()?)
}

/// A sync request's body as a device sends it: JSON, compressed with zstd.
pub fn encode<T: serde::Serialize>(request: &T) -> Result<Vec<u8>> {
    Ok(zstd::encode_all(&serde_json::to_vec(request)?[..], 3)?)
}

/// One sync round trip with a JSON request; returns the reply and its latency.
pub async fn sync<T: serde::Serialize>(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    request: &T,
    traffic: &Traffic,
) -> Result<(SyncResponse<Box<RawValue>>, Duration)> {
    send(http, url, token, encode(request)?, traffic).await
}

/// One sync round trip with a body encoded beforehand (a device's work, not the server's). Pulled
/// events are kept as raw JSON: checking them is the phone's work, not the server's.
pub async fn send(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    body: Vec<u8>,
    traffic: &Traffic,
) -> Result<(SyncResponse<Box<RawValue>>, Duration)> {
    let started = Instant::now();
    let response = http
        .post(format!("{url}/v1/sync"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .header("content-encoding", "zstd")
        .header("accept-encoding", "zstd")
        .body(body.clone())
        .send()
        .await?;
    let status = response.status();
    let compressed = response.headers().get("content-encoding").is_some_and(|v| v == "zstd");
    let bytes = response.bytes().await?;
    let elapsed = started.elapsed();
    traffic.sent.fetch_add(body.len() as u64, Ordering::Relaxed);
    traffic.received.fetch_add(bytes.len() as u64, Ordering::Relaxed);
    let plain = if compressed { zstd::decode_all(&bytes[..])? } else { bytes.to_vec() };
    if !status.is_success() {
        bail!("sync answered {status}: {}", String::from_utf8_lossy(&plain));
    }
    Ok((serde_json::from_slice(&plain)?, elapsed))
}

/// Checks that a push of `sent` events got one ack per event, each `accepted`: an ack missing or
/// refused means the server did not store what the bench measured, and the bench fails.
pub fn check_acks<E>(reply: &SyncResponse<E>, sent: usize) -> Result<()> {
    if reply.acks.len() != sent {
        bail!("{sent} events pushed, {} acks received", reply.acks.len());
    }
    if let Some(refused) = reply.acks.iter().find(|a| a.status != AckStatus::Accepted) {
        bail!("an event was not accepted: {refused:?}");
    }
    Ok(())
}

/// The `p` percentile of round trips in milliseconds, counting the `failed` requests as slower
/// than every answer (a request that failed did not sync): `None` when the percentile falls on a
/// failed request.
pub fn percentile_with_failures(sorted: &[Duration], failed: usize, p: f64) -> Option<f64> {
    let total = sorted.len() + failed;
    if total == 0 {
        return Some(0.0);
    }
    let i = ((total as f64 - 1.0) * p).round() as usize;
    sorted.get(i).map(|d| d.as_secs_f64() * 1000.0)
}

/// A percentile for printing: milliseconds, or "failed" when it falls on a failed request.
pub fn show_ms(ms: Option<f64>) -> String {
    ms.map_or_else(|| "failed".to_owned(), |ms| format!("{ms:.0} ms"))
}

/// Latency percentiles in milliseconds.
pub fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use sync_protocol::hlc::Hlc;
    use sync_protocol::ids::EventId;
    use sync_protocol::wire::{Ack, RejectReason};

    fn reply(acks: Vec<Ack>) -> SyncResponse<()> {
        SyncResponse { acks, pages: Vec::new(), purge: Vec::new(), next_seq: 1, hlc: Hlc::ZERO, witness: None }
    }

    #[test]
    fn a_push_passes_only_with_one_accepted_ack_per_event() {
        let id = EventId(uuid::Uuid::from_u128(1));
        let ok = || Ack::accepted(id, 1);
        assert!(check_acks(&reply(vec![ok(), ok()]), 2).is_ok());
        assert!(check_acks(&reply(vec![ok()]), 2).is_err(), "an ack missing");
        assert!(check_acks(&reply(Vec::new()), 2).is_err(), "no acks at all");
        assert!(check_acks(&reply(vec![ok(), Ack::duplicate(id, 1)]), 2).is_err(), "a duplicate was not stored now");
        let refused = Ack::rejected(Some(id), Some(1), RejectReason::NotAllowed, "no");
        assert!(check_acks(&reply(vec![ok(), refused]), 2).is_err());
    }

    #[test]
    fn failed_requests_count_as_the_slowest() {
        let ms = |n| Duration::from_millis(n);
        let ok: Vec<Duration> = (1..=98).map(ms).collect();
        assert_eq!(percentile_with_failures(&ok, 0, 0.99), Some(97.0));
        // Two of 100 failed: the 99th percentile is a failure, not the fastest answers' figure.
        assert_eq!(percentile_with_failures(&ok, 2, 0.99), None);
        assert_eq!(percentile_with_failures(&ok, 2, 0.5), Some(51.0));
        assert_eq!(show_ms(None), "failed");
    }
}
