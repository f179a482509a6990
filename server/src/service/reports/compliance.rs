//! `GET /v1/compliance`: the week per officer, with roll-ups per township and for the county, as
//! the pure `sync_protocol::compliance::weekly` computes them from the server's fold of the whole
//! log and the checks' stored decisions; then cut down to what the caller's audience sees.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use sync_protocol::body::Role;
use sync_protocol::compliance::{ComplianceRules, DecisionTable, OfficerWeek, Rollup, officer_week, weekly};
use sync_protocol::fold::Projection;
use sync_protocol::ids::UnitId;
use sync_protocol::scope::Bucket;
use sync_protocol::values::IsoWeek;

use super::ReportError;
use super::audience::Audience;
use crate::store::{Store, StoreError};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplianceQuery {
    /// Defaults to the current week (county time).
    pub week: Option<IsoWeek>,
    /// Only this township (inspectors and the county).
    pub township: Option<UnitId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplianceReport {
    pub week: IsoWeek,
    pub rules: ComplianceRules,
    /// The server's clock when the report was made (Unix ms): "awaiting" and "overdue" are as of then.
    pub as_of: i64,
    pub officers: Vec<OfficerWeek>,
    pub townships: BTreeMap<UnitId, Rollup>,
    /// The county's roll-up: for the county section and commissioners only.
    pub county: Option<Rollup>,
}

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

/// The county's comparison of its townships for one week (`GET /v1/audit/townships`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TownshipComparison {
    pub week: IsoWeek,
    pub as_of: i64,
    pub townships: BTreeMap<UnitId, Rollup>,
    pub county: Option<Rollup>,
}

impl From<ComplianceReport> for TownshipComparison {
    fn from(r: ComplianceReport) -> Self {
        TownshipComparison { week: r.week, as_of: r.as_of, townships: r.townships, county: r.county }
    }
}
