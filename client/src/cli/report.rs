//! `report`: the server's reports for your scope (compliance, township reconciliation, the county
//! audit's township table and integrity check), read as their typed replies and printed as JSON
//! (needs the network).

use clap::Subcommand;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sync_protocol::ids::UnitId;
use sync_protocol::values::IsoWeek;
use sync_protocol::wire::audit::IntegrityReport;
use sync_protocol::wire::reports::{ComplianceQuery, ComplianceReport, Reconciliation, ReconciliationQuery, TownshipComparison};

use crate::replica::Replica;

#[derive(Debug, Subcommand)]
pub enum ReportKind {
    /// Weekly compliance (每周巡查情况) per officer, township and county.
    Compliance {
        /// ISO week, e.g. 2026-W48 (default: this week).
        #[arg(long)]
        week: Option<IsoWeek>,
        #[arg(long)]
        township: Option<UnitId>,
    },
    /// What is missing or late in a township (乡镇对账).
    Reconciliation {
        #[arg(long)]
        township: UnitId,
        #[arg(long)]
        week: Option<IsoWeek>,
    },
    /// The county audit's comparison of townships (county roles).
    AuditTownships {
        #[arg(long)]
        week: Option<IsoWeek>,
    },
    /// Re-hash every stored event and walk every device's chain (county roles).
    Integrity,
}

pub async fn report(replica: &Replica, kind: ReportKind) -> anyhow::Result<()> {
    let text = match kind {
        ReportKind::Compliance { week, township } => {
            fetch::<ComplianceReport>(replica, "/v1/compliance", &ComplianceQuery { week, township }).await?
        }
        ReportKind::Reconciliation { township, week } => {
            fetch::<Reconciliation>(replica, "/v1/reconciliation", &ReconciliationQuery { township, week }).await?
        }
        ReportKind::AuditTownships { week } => {
            fetch::<TownshipComparison>(replica, "/v1/audit/townships", &ComplianceQuery { week, township: None }).await?
        }
        ReportKind::Integrity => fetch::<IntegrityReport>(replica, "/v1/audit/integrity", &[] as &[(&str, &str)]).await?,
    };
    println!("{text}");
    Ok(())
}

/// The report at `path` for `query`, read as `T` and written back as indented JSON.
async fn fetch<T: DeserializeOwned + Serialize>(
    replica: &Replica,
    path: &str,
    query: &(impl Serialize + ?Sized),
) -> anyhow::Result<String> {
    let bytes = crate::sync::report(replica, path, query).await?;
    let reply: T = serde_json::from_slice(&bytes)?;
    Ok(serde_json::to_string_pretty(&reply)?)
}
