//! `GET /v1/compliance`: the week per officer, with roll-ups per township and for the county, as
//! the pure `sync_protocol::compliance::weekly_from` computes them from the week's facts, read from
//! the store's read model in proportion to the week; then cut down to what the caller's audience
//! sees.

use sync_protocol::compliance::{ComplianceRules, officer_week_from, weekly_from};
use sync_protocol::ids::UnitId;
use sync_protocol::values::IsoWeek;
pub use sync_protocol::wire::reports::{ComplianceQuery, ComplianceReport, TownshipComparison};

use super::ReportError;
use super::audience::Audience;
use crate::store::Store;

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
    let facts = store.week_facts(week).await?;
    let all = weekly_from(&facts, week, rules, now_ms);
    let wanted = |t: &UnitId| audience.sees_township(t) && query.township.as_ref().is_none_or(|q| q == t);
    let (officers, county) = match audience {
        Audience::Officer(me) => (vec![officer_week_from(&facts, me, week, rules)], None),
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
