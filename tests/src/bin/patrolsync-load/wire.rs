//! The bench's HTTP client: zstd on both directions done by hand, so the bytes that cross the
//! loopback are counted exactly as they travel.

use anyhow::{Result, bail};
use serde_json::value::RawValue;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use sync_protocol::wire::SyncResponse;

/// Bytes sent and received on the wire (compressed bodies; headers not counted).
#[derive(Default)]
pub struct Traffic {
    pub sent: AtomicU64,
    pub received: AtomicU64,
}

pub fn client() -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder().no_gzip().no_zstd().pool_max_idle_per_host(64).timeout(Duration::from_secs(120)).build()?)
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

/// Latency percentiles in milliseconds.
pub fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}
