//! The county's audits: the township comparison of a week and the integrity check (county section
//! and commissioners: `Audience::county`), the tamper-evident log's signed checkpoint and
//! consistency proofs (the county auditor only, `Audience::county_auditor`: making a checkpoint
//! writes one). The caller's audience is checked before the query is read.

use sync_protocol::wire::audit::{CheckpointReply, ConsistencyQuery, ConsistencyReply};

use super::ReportError;
use super::audience::Audience;
use super::compliance::{self, ComplianceQuery, TownshipComparison};
use crate::service::Services;
use crate::store::audit::IntegrityReport;

/// `GET /v1/audit/townships`: the per-township comparison of a week.
pub async fn townships(services: &Services, audience: &Audience, query: ComplianceQuery) -> Result<TownshipComparison, ReportError> {
    let now = services.clock.now_ms();
    let report = compliance::report(&*services.store, audience, query, &services.reports.compliance, now).await?;
    Ok(TownshipComparison::from(report))
}

/// `GET /v1/audit/integrity`: every event re-hashed, every chain walked.
pub async fn integrity(services: &Services) -> Result<IntegrityReport, ReportError> {
    Ok(services.store.integrity().await?)
}

/// `GET /v1/audit/checkpoint`: a signed checkpoint of the log at its current size.
pub async fn checkpoint(services: &Services) -> Result<CheckpointReply, ReportError> {
    Ok(services.store.checkpoint().await?)
}

/// `GET /v1/audit/consistency`: the proof that the log's first `from` leaves are a prefix of its
/// first `to`.
pub async fn consistency(services: &Services, query: ConsistencyQuery) -> Result<ConsistencyReply, ReportError> {
    if query.from > query.to {
        return Err(ReportError::SizesOutOfOrder { from: query.from, to: query.to });
    }
    Ok(services.store.consistency(query).await?)
}
