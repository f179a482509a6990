//! The reports each level reads (issue 4): weekly compliance, township reconciliation, the patrol
//! ledger and the county audit, read from the store's read model (issue 12), which the writer keeps
//! current as it accepts each event, beside the checks it stored.
//!
//! # Layout
//! - [`audience`]: who may read which report, and which officers and townships it shows them.
//! - [`compliance`]: `GET /v1/compliance`, the week per officer with township and county roll-ups.
//! - [`reconciliation`]: `GET /v1/reconciliation`, what is missing or late in one township.
//! - [`ledger`]: `GET /v1/ledger`, the patrol ledger (its rows and columns are
//!   `sync_protocol::ledger`'s); [`ledger_export`]: as CSV and XLSX.
//! - [`audit`]: the county's audits (township comparison, integrity, the log's checkpoints and
//!   proofs); [`flags`]: the flags of a scope.

pub mod audience;
pub mod audit;
pub mod compliance;
pub mod ledger;
pub mod ledger_export;
pub mod reconciliation;

use serde::Deserialize;
use std::collections::BTreeSet;
use sync_protocol::compliance::ComplianceRules;
use sync_protocol::scope::Bucket;
use sync_protocol::wire::flags::{FlagList, FlagQuery, MAX_FLAGS_PER_PAGE};

use super::evidence::EvidenceError;
use crate::store::StoreError;
use crate::store::reports::Reports;

/// Why a report was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The caller's role does not read this report.
    #[error("{0}")]
    Forbidden(&'static str),
    /// A township, village or officer outside the caller's audience (or unknown).
    #[error("not found")]
    NotFound,
    #[error("from must not be after to, and the range at most {max_days} days")]
    Range { max_days: i64 },
    #[error("name at most one of officer, village, township")]
    OneSubject,
    #[error("from ({from}) is after to ({to})")]
    SizesOutOfOrder { from: u64, to: u64 },
    #[error(transparent)]
    Query(#[from] sync_protocol::ValidationError),
    #[error("the export could not be written")]
    Export(#[from] ledger_export::ExportError),
    #[error(transparent)]
    Evidence(#[from] EvidenceError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// `GET /v1/flags`: the flags in `scope` matching `query`, newest first.
pub async fn flags(store: &dyn Reports, scope: BTreeSet<Bucket>, query: FlagQuery) -> Result<FlagList, ReportError> {
    sync_protocol::wire::page_size(query.limit, MAX_FLAGS_PER_PAGE, MAX_FLAGS_PER_PAGE)?;
    Ok(store.flags(scope, query).await?)
}

/// The reports' settings (`[compliance]` and `[reconciliation]` in the config file).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReportSettings {
    pub compliance: ComplianceRules,
    pub reconciliation: ReconciliationSettings,
}

/// `[reconciliation]`: when a device counts as not synced.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReconciliationSettings {
    /// A device whose last accepted push is older than this many days (fractions allowed) is
    /// listed as not synced.
    pub stale_sync_after_days: f64,
}

impl Default for ReconciliationSettings {
    fn default() -> Self {
        ReconciliationSettings { stale_sync_after_days: 3.0 }
    }
}

impl ReconciliationSettings {
    pub fn stale_after_ms(&self) -> i64 {
        (self.stale_sync_after_days * 86_400_000.0).round() as i64
    }
}
