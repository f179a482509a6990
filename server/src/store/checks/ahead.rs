//! The half of the checks at ingest that reads only the event and the reference data, computed
//! ahead of the single writer: the parallel prepare step (`crate::ingest::prepare`) runs it on the
//! snapshot of the reference the writer last published. The writer takes a result only when the
//! snapshot it was computed on is still the writer's own reference (same version), and computes it
//! itself otherwise, with the same functions: the stored results never depend on which of the two
//! computed them.
//!
//! The geofence, the quota decision, the fingerprint's SHA-256 per fix, the plausibility rules over
//! the track alone and the licence verdict of a finding are this half (the load bench's storm spent
//! a fifth of the writer's time on them); the rules that compare a patrol with the stored ones stay
//! with the writer (`plausibility`).

use arc_swap::ArcSwap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use sync_protocol::body::{Body, FindingReported, PatrolRecorded};
use sync_protocol::checks::licence::{LicenceVerdict, check_finding};
use sync_protocol::checks::licence_history::LicenceHistory;
use sync_protocol::checks::plausibility::PatrolUnderCheck;
use sync_protocol::checks::precheck::PatrolPrecheck;
use sync_protocol::checks::recheck::CheckConfig;
use sync_protocol::checks::zone_history::ZoneHistory;
use sync_protocol::event::Event;

use super::patrol::to_json;
use crate::store::StoreError;

/// A version number never given before in this process. The writer's reference takes a new one on
/// every change to the data the checks read (and on every reload), so two equal versions hold the
/// same data.
pub fn next_version() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// An immutable copy of the reference data the checks read, as of one version of the writer's.
/// The default is empty at version 0, which no writer ever publishes: whatever is computed on it
/// is recomputed by the writer.
#[derive(Debug, Default)]
pub struct CheckSnapshot {
    pub version: u64,
    pub zones: Arc<ZoneHistory>,
    pub licences: Arc<LicenceHistory>,
    pub config: CheckConfig,
}

impl CheckSnapshot {
    /// The half of `event`'s checks that reads the reference alone, if its kind has checks.
    pub fn precheck(&self, event: &Event, body: &Body) -> Option<Prechecked> {
        match body {
            Body::PatrolRecorded(p) => {
                PatrolPrechecked::of(self.version, &self.zones, event, p, &self.config).ok().map(|p| Prechecked::Patrol(Box::new(p)))
            }
            Body::FindingReported(f) => FindingPrechecked::of(self.version, &self.licences, f).ok().map(Prechecked::Finding),
            _ => None,
        }
    }
}

/// Where the writer publishes its snapshot and the preparers take it. Cheap to clone.
#[derive(Clone)]
pub struct Published(Arc<ArcSwap<CheckSnapshot>>);

impl Published {
    pub fn new(first: CheckSnapshot) -> Published {
        Published(Arc::new(ArcSwap::from_pointee(first)))
    }

    /// The snapshot published last.
    pub fn load(&self) -> Arc<CheckSnapshot> {
        self.0.load_full()
    }

    pub fn version(&self) -> u64 {
        self.0.load().version
    }

    pub fn publish(&self, snapshot: CheckSnapshot) {
        self.0.store(Arc::new(snapshot));
    }
}

/// A result computed ahead for one event.
#[derive(Debug)]
pub enum Prechecked {
    Patrol(Box<PatrolPrechecked>),
    Finding(FindingPrechecked),
}

impl Prechecked {
    pub fn patrol(&self) -> Option<&PatrolPrechecked> {
        match self {
            Prechecked::Patrol(p) => Some(p),
            Prechecked::Finding(_) => None,
        }
    }

    pub fn finding(&self) -> Option<&FindingPrechecked> {
        match self {
            Prechecked::Finding(f) => Some(f),
            Prechecked::Patrol(_) => None,
        }
    }
}

/// A new patrol's checks that read the reference alone, with the check in its stored form.
#[derive(Debug)]
pub struct PatrolPrechecked {
    /// The version of the reference they were computed on.
    pub version: u64,
    pub pre: PatrolPrecheck,
    /// `pre.check` as stored in `patrol_checks.report`.
    pub report: String,
    /// The patrol's earliest and latest stated times, whatever the reference: the span of the
    /// officer's patrols it can overlap, read ahead for the push (`read_ahead`).
    pub span: (i64, i64),
}

impl PatrolPrechecked {
    /// Checks `patrol`, the body of `event`, against `zones` (of reference `version`).
    pub fn of(version: u64, zones: &ZoneHistory, event: &Event, patrol: &PatrolRecorded, config: &CheckConfig) -> Result<Self, StoreError> {
        let pre = PatrolPrecheck::of(zones, event.id, &event.author, patrol, config);
        let report = to_json(&pre.check)?;
        let under = PatrolUnderCheck::of(event.id, &event.author, patrol);
        Ok(PatrolPrechecked { version, pre, report, span: (under.earliest_t(), under.latest_t()) })
    }
}

/// A new finding's licence verdict, with its stored form.
#[derive(Debug)]
pub struct FindingPrechecked {
    pub version: u64,
    pub verdict: LicenceVerdict,
    /// `verdict` as stored in `finding_checks.verdict`.
    pub json: String,
}

impl FindingPrechecked {
    pub fn of(version: u64, licences: &LicenceHistory, finding: &FindingReported) -> Result<Self, StoreError> {
        let verdict = check_finding(finding, licences);
        let json = serde_json::to_string(&verdict).map_err(|e| StoreError::encode("a licence verdict", e))?;
        Ok(FindingPrechecked { version, verdict, json })
    }
}
