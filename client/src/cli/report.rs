//! `report`: the server's reports for your scope (compliance, township reconciliation, the county
//! audit's township table and integrity check), printed as the server's JSON (needs the network).

use clap::Subcommand;

use crate::replica::Replica;

#[derive(Debug, Subcommand)]
pub enum ReportKind {
    /// Weekly compliance (每周巡查情况) per officer, township and county.
    Compliance {
        /// ISO week, e.g. 2026-W48 (default: this week).
        #[arg(long)]
        week: Option<String>,
        #[arg(long)]
        township: Option<String>,
    },
    /// What is missing or late in a township (乡镇对账).
    Reconciliation {
        #[arg(long)]
        township: String,
        #[arg(long)]
        week: Option<String>,
    },
    /// The county audit's comparison of townships (county roles).
    AuditTownships {
        #[arg(long)]
        week: Option<String>,
    },
    /// Re-hash every stored event and walk every device's chain (county roles).
    Integrity,
}

pub async fn report(replica: &Replica, kind: ReportKind) -> anyhow::Result<()> {
    let (path, pairs): (&str, Vec<(&str, Option<String>)>) = match kind {
        ReportKind::Compliance { week, township } => ("/v1/compliance", vec![("week", week), ("township", township)]),
        ReportKind::Reconciliation { township, week } => ("/v1/reconciliation", vec![("township", Some(township)), ("week", week)]),
        ReportKind::AuditTownships { week } => ("/v1/audit/townships", vec![("week", week)]),
        ReportKind::Integrity => ("/v1/audit/integrity", vec![]),
    };
    let query: Vec<(&str, String)> = pairs.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))).collect();
    let bytes = crate::sync::report(replica, path, &query).await?;
    let json: serde_json::Value = serde_json::from_slice(&bytes)?;
    println!("{}", serde_json::to_string_pretty(&json)?);
    Ok(())
}
