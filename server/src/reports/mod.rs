//! The reports each level reads (issue 4): weekly compliance, township reconciliation, the patrol
//! ledger and the county audit, computed from the server's fold of the log plus the checks it stored.
//!
//! # Layout
//! - [`audience`]: who may read which report, and which officers and townships it shows them.
//! - [`compliance`]: `GET /v1/compliance`, the week per officer with township and county roll-ups.
//! - [`reconciliation`]: `GET /v1/reconciliation`, what is missing or late in one township.
//! - [`ledger`]: `GET /v1/ledger`, the patrol ledger; [`ledger_columns`]: its columns and rows;
//!   [`ledger_export`]: as CSV and XLSX.

pub mod audience;
pub mod compliance;
pub mod ledger;
pub mod ledger_columns;
pub mod ledger_export;
pub mod reconciliation;

use serde::Deserialize;
use sync_protocol::compliance::ComplianceRules;

/// The reports' settings (`[compliance]` and `[reconciliation]` in the config file).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReportSettings {
    pub compliance: ComplianceRules,
    pub reconciliation: ReconciliationSettings,
}

/// `[reconciliation]`: when a device counts as not synced.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
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
