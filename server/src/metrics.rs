//! The server's Prometheus metrics: one [`Metrics`] made by the application and handed to the
//! layers that count (the HTTP edge, the sync and login use cases, the store's writer).
//!
//! Every method is a few atomic operations (a label set is looked up under a read lock), so
//! counting costs the push path nothing measurable. `GET /metrics` encodes them as text.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use sync_protocol::wire::{Ack, AckStatus};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    /// The route's template (`/v1/blobs/{sha256}`), never the path a client sent.
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LatencyLabels {
    method: &'static str,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EventLabels {
    outcome: &'static str,
    /// The reject reason; empty when accepted or duplicate.
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: String,
}

type LatencyFamily = Family<LatencyLabels, Histogram, fn() -> Histogram>;

/// Every metric the server exports, registered once.
pub struct Metrics {
    registry: Registry,
    requests: Family<RouteLabels, Counter>,
    latency: LatencyFamily,
    events: Family<EventLabels, Counter>,
    batch_jobs: Histogram,
    commit_seconds: Histogram,
    commits: Family<OutcomeLabels, Counter>,
    queue_depth: Gauge,
    writer_up: Gauge,
    writer_messages: Counter,
    logins: Family<OutcomeLabels, Counter>,
    blob_bytes: Counter,
    flags: Family<KindLabels, Counter>,
}

fn latency_histogram() -> Histogram {
    // 1 ms to about 33 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("patrolsync");
        let requests = Family::<RouteLabels, Counter>::default();
        registry.register("http_requests", "HTTP requests answered, by method, route template and status", requests.clone());
        let latency: LatencyFamily = Family::new_with_constructor(latency_histogram);
        registry.register("http_request_duration_seconds", "Time to answer an HTTP request, by route template", latency.clone());
        let events = Family::<EventLabels, Counter>::default();
        registry.register("events", "Pushed events answered, by outcome and reject reason", events.clone());
        let batch_jobs = Histogram::new(exponential_buckets(1.0, 2.0, 10));
        registry.register("writer_batch_jobs", "Jobs the store's writer committed in one transaction", batch_jobs.clone());
        let commit_seconds = latency_histogram();
        registry.register("writer_batch_duration_seconds", "Time the writer took for one batch, jobs and commit", commit_seconds.clone());
        let commits = Family::<OutcomeLabels, Counter>::default();
        registry.register("writer_commits", "The writer's commits, by outcome (ok, or the cause of a failure)", commits.clone());
        let queue_depth = Gauge::default();
        registry.register("writer_queue_depth", "Jobs waiting for the writer", queue_depth.clone());
        let writer_up = Gauge::default();
        registry.register("writer_up", "1 while the writer's last commit succeeded, else 0", writer_up.clone());
        let writer_messages = Counter::default();
        registry.register(
            "writer_messages",
            "Messages the PostgreSQL writer sent its database, each a round trip it waited on",
            writer_messages.clone(),
        );
        let logins = Family::<OutcomeLabels, Counter>::default();
        registry.register("logins", "Logins, by outcome (ok, failed, throttled)", logins.clone());
        let blob_bytes = Counter::default();
        registry.register("blob_bytes", "Evidence bytes received and stored", blob_bytes.clone());
        let flags = Family::<KindLabels, Counter>::default();
        registry.register("flags_raised", "Flags raised by the checks, by kind", flags.clone());
        writer_up.set(1);
        Metrics {
            registry,
            requests,
            latency,
            events,
            batch_jobs,
            commit_seconds,
            commits,
            queue_depth,
            writer_up,
            writer_messages,
            logins,
            blob_bytes,
            flags,
        }
    }

    /// One HTTP request answered: its method, route template, status and time taken.
    pub fn request(&self, method: &'static str, route: &str, status: u16, seconds: f64) {
        self.requests.get_or_create(&RouteLabels { method, route: route.to_owned(), status }).inc();
        self.latency.get_or_create(&LatencyLabels { method, route: route.to_owned() }).observe(seconds);
    }

    /// The acks of one push.
    pub fn acks(&self, acks: &[Ack]) {
        for ack in acks {
            let (outcome, reason) = match ack.status {
                AckStatus::Accepted => ("accepted", ""),
                AckStatus::Duplicate => ("duplicate", ""),
                AckStatus::Rejected => ("rejected", ack.reason.map(|r| r.as_str()).unwrap_or("")),
            };
            self.events.get_or_create(&EventLabels { outcome, reason }).inc();
        }
    }

    /// One batch of the writer: its jobs, its time, and how its commit went (`Ok`, or the cause
    /// of the failure as [`crate::store::StoreError::cause`] names it).
    pub fn writer_batch(&self, jobs: usize, seconds: f64, outcome: Result<(), &'static str>) {
        self.batch_jobs.observe(jobs as f64);
        self.commit_seconds.observe(seconds);
        let label = outcome.err().unwrap_or("ok");
        self.commits.get_or_create(&OutcomeLabels { outcome: label }).inc();
        self.writer_up.set(i64::from(outcome.is_ok()));
    }

    /// Messages the PostgreSQL writer sent in one batch.
    pub fn writer_messages(&self, messages: u64) {
        self.writer_messages.inc_by(messages);
    }

    /// Jobs waiting for the writer now.
    pub fn writer_queue(&self, depth: usize) {
        self.queue_depth.set(i64::try_from(depth).unwrap_or(i64::MAX));
    }

    /// A login: `ok`, `failed` (wrong credentials) or `throttled`.
    pub fn login(&self, outcome: &'static str) {
        self.logins.get_or_create(&OutcomeLabels { outcome }).inc();
    }

    /// Evidence bytes received and stored.
    pub fn blob_bytes(&self, bytes: u64) {
        self.blob_bytes.inc_by(bytes);
    }

    /// A flag of `kind` raised (and committed).
    pub fn flag(&self, kind: &str, count: u64) {
        self.flags.get_or_create(&KindLabels { kind: kind.to_owned() }).inc_by(count);
    }

    /// Every metric in Prometheus' text format.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sync_protocol::wire::RejectReason;

    #[test]
    fn counts_appear_in_the_text_format_by_their_labels() {
        let m = Metrics::new();
        m.request("POST", "/v1/sync", 200, 0.004);
        m.acks(&[
            Ack::accepted("0192f0c1-7a3b-7c00-8000-000000000001".parse().expect("uuid"), 1),
            Ack::rejected(None, None, RejectReason::BadHash, "x"),
            Ack::rejected(None, None, RejectReason::BadHash, "y"),
        ]);
        m.writer_batch(3, 0.002, Err("disk_full"));
        m.flag("too_short", 2);
        m.login("failed");
        m.blob_bytes(1_000);
        let text = m.encode();
        assert!(text.contains(r#"patrolsync_http_requests_total{method="POST",route="/v1/sync",status="200"} 1"#), "{text}");
        assert!(text.contains(r#"patrolsync_events_total{outcome="rejected",reason="bad_hash"} 2"#), "{text}");
        assert!(text.contains(r#"patrolsync_events_total{outcome="accepted",reason=""} 1"#), "{text}");
        assert!(text.contains(r#"patrolsync_writer_commits_total{outcome="disk_full"} 1"#), "{text}");
        assert!(text.contains("patrolsync_writer_up 0"), "{text}");
        assert!(text.contains(r#"patrolsync_flags_raised_total{kind="too_short"} 2"#), "{text}");
        assert!(text.contains(r#"patrolsync_logins_total{outcome="failed"} 1"#), "{text}");
        assert!(text.contains("patrolsync_blob_bytes_total 1000"), "{text}");
    }
}
