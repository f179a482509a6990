//! `GET /v1/reconciliation`: one view of what is missing or late in a township: officers under
//! quota and without a zero report in the week, devices not synced, findings not received, tips
//! unanswered, cases overdue and evidence whose bytes have not reached the server (the last five
//! as they stand now, whatever week they began in).

use sync_protocol::compliance::weekly_from;
use sync_protocol::fold::overdue;
use sync_protocol::ids::UnitId;
use sync_protocol::scope::Bucket;
use sync_protocol::values::IsoWeek;
use sync_protocol::wire::evidence::MissingQuery;
pub use sync_protocol::wire::reports::{
    DeviceSync, OpenTip, OverdueCase, Reconciliation, ReconciliationQuery, UnderQuota, UnreceivedFinding, UnsyncedDevices, UnsyncedQuery,
};

use crate::store::reports::Directory;

use super::ReportError;
use super::audience::Audience;
use crate::service::Services;

/// The reconciliation of `query.township` for an inspector of it or the county.
pub async fn report(
    services: &Services,
    audience: &Audience,
    query: ReconciliationQuery,
    now_ms: i64,
) -> Result<Reconciliation, ReportError> {
    let (store, settings) = (&*services.store, &services.reports);
    audience.township_filter(Some(&query.township))?;
    let week = query.week.unwrap_or_else(|| IsoWeek::of_ms(now_ms));
    let directory = store.directory().await?;
    let t = query.township.clone();
    if !directory.parents.contains_key(&t) {
        return Err(ReportError::NotFound);
    }
    let rules = &settings.compliance;
    let compliance = weekly_from(&store.week_facts(week).await?, week, rules, now_ms);
    let backlog = store.backlog(t.clone()).await?;
    let mine: Vec<_> = compliance.officers.into_iter().filter(|o| o.township.as_ref() == Some(&t)).collect();
    let devices = not_synced(services, &directory, |t2| t2 == &t, now_ms).await?;
    let evidence_query = MissingQuery { township: Some(t.clone()), ..MissingQuery::default() };
    let evidence = crate::service::evidence::missing(services, [Bucket::County].into(), evidence_query).await?;
    Ok(Reconciliation {
        week,
        as_of: now_ms,
        stale_sync_after_days: settings.reconciliation.stale_sync_after_days,
        officers_under_quota: mine
            .iter()
            .filter(|o| !o.quota_met)
            .map(|o| UnderQuota {
                officer: o.officer.clone(),
                patrols: o.patrols,
                patrols_counting: o.patrols_counting,
                patrols_unchecked: o.patrols_unchecked,
                quota: o.quota,
            })
            .collect(),
        zero_reports_missing: mine.iter().filter(|o| o.zero_report_needed && !o.zero_report_filed).map(|o| o.officer.clone()).collect(),
        devices_not_synced: devices,
        findings_not_received: backlog
            .findings_not_received
            .into_iter()
            .map(|f| UnreceivedFinding {
                finding: f.id,
                officer: f.officer,
                zone: f.zone,
                observed_at: f.observed_at,
                late: now_ms > f.observed_at.saturating_add(rules.report_within_ms()),
            })
            .collect(),
        tips_unanswered: backlog
            .open_tips
            .into_iter()
            .map(|(x, cases)| OpenTip {
                tip: x.id,
                received_at: x.received_at,
                village: x.assignments.last().and_then(|a| a.village.clone()),
                cases,
            })
            .collect(),
        cases_overdue: backlog
            .open_cases
            .iter()
            .filter_map(|c| overdue(c, now_ms).map(|o| OverdueCase { case: c.id, status: c.status_label().into(), missed: o.missed }))
            .collect(),
        evidence_missing: evidence.missing,
        evidence_missing_more: evidence.more,
        township: t,
    })
}

/// The devices not synced for the configured days whose user serves a unit `wanted` accepts, or
/// a unit whose parent it accepts (an inspector's townships; a village officer's village's township).
async fn not_synced(
    services: &Services,
    directory: &Directory,
    wanted: impl Fn(&UnitId) -> bool,
    now_ms: i64,
) -> Result<Vec<DeviceSync>, ReportError> {
    let stale_ms = services.reports.reconciliation.stale_after_ms();
    // A unit serves itself and its parent: an inspector's township, a village officer's village's.
    let serves =
        |d: &DeviceSync| d.units.iter().any(|u| wanted(u) || directory.parents.get(u).cloned().flatten().is_some_and(|p| wanted(&p)));
    Ok(services
        .store
        .device_syncs()
        .await?
        .into_iter()
        .filter(|d| d.last_sync_at.is_none_or(|at| now_ms - at > stale_ms))
        .filter(serves)
        .collect())
}

/// `GET /v1/devices/unsynced`: the devices not synced for the configured days in the audience's
/// townships, or in `query.township` (404 outside the audience, or when it is no township).
pub async fn unsynced(services: &Services, audience: &Audience, query: UnsyncedQuery, now_ms: i64) -> Result<UnsyncedDevices, ReportError> {
    audience.township_filter(query.township.as_ref())?;
    let directory = services.store.directory().await?;
    if query.township.as_ref().is_some_and(|t| !directory.parents.contains_key(t)) {
        return Err(ReportError::NotFound);
    }
    let wanted = |t: &UnitId| audience.sees_township(t) && query.township.as_ref().is_none_or(|q| q == t);
    Ok(UnsyncedDevices {
        as_of: now_ms,
        stale_sync_after_days: services.reports.reconciliation.stale_sync_after_days,
        devices: not_synced(services, &directory, wanted, now_ms).await?,
    })
}
