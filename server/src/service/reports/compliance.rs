//! `GET /v1/compliance`: the week per officer, with roll-ups per township and for the county, as
//! the pure `sync_protocol::compliance::weekly` computes them from the server's fold of the whole
//! log and the checks' stored decisions; then cut down to what the caller's audience sees.

use std::collections::BTreeSet;
use sync_protocol::body::Role;
use sync_protocol::compliance::{ComplianceRules, DecisionTable, officer_week, weekly};
use sync_protocol::fold::Projection;
use sync_protocol::ids::UnitId;
use sync_protocol::scope::Bucket;
use sync_protocol::values::IsoWeek;
pub use sync_protocol::wire::reports::{ComplianceQuery, ComplianceReport, TownshipComparison};

use super::ReportError;
use super::audience::Audience;
use crate::store::{Store, StoreError};

/// The whole log folded as the county sees it (informants left out: no report shows them), and the
/// checks' decisions.
pub async fn county_view(store: &dyn Store) -> Result<(Projection, DecisionTable), StoreError> {
    let projection = crate::service::projection::of_scope(store, &BTreeSet::from([Bucket::County]), Role::Commissioner).await?;
    let decisions = store.decisions().await?;
    Ok((projection, decisions))
}

/// The compliance report of `query.week` for `audience`.
pub async fn report(
    store: &dyn Store,
    audience: &Audience,
    query: ComplianceQuery,
    rules: &ComplianceRules,
    now_ms: i64,
) -> Result<ComplianceReport, ReportError> {
    audience.township_filter(query.township.as_ref())?;
    let week = query.week.unwrap_or_else(|| IsoWeek::of_ms(now_ms));
    let (p, decisions) = county_view(store).await?;
    let all = weekly(&p, week, rules, &decisions, now_ms);
    let wanted = |t: &UnitId| audience.sees_township(t) && query.township.as_ref().is_none_or(|q| q == t);
    let (officers, county) = match audience {
        Audience::Officer(me) => (vec![officer_week(&p, me, week, rules, &decisions)], None),
        Audience::Townships(_) => (all.officers.into_iter().filter(|o| o.township.as_ref().is_some_and(wanted)).collect(), None),
        Audience::County => {
            let county = query.township.is_none().then_some(all.county);
            let officers = all.officers.into_iter().filter(|o| query.township.is_none() || o.township.as_ref().is_some_and(wanted));
            (officers.collect(), county)
        }
    };
    let townships = all.townships.into_iter().filter(|(t, _)| wanted(t)).collect();
    Ok(ComplianceReport { week, rules: *rules, as_of: now_ms, officers, townships, county })
}
