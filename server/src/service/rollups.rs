//! `GET /v1/rollups`: a city or province official's week across their counties, one roll-up per
//! county (compliance, cases and tips, findings reported in time, flags), each the county roll-up
//! of that county's own compliance report, read from its own store's read model, never its log.

use sync_protocol::values::IsoWeek;
use sync_protocol::wire::rollups::{CountyRollup, RollupQuery, Rollups};

use super::counties::Counties;
use super::officials::Official;
use super::reports::ReportError;
use super::reports::audience::Audience;
use super::reports::compliance;

/// The roll-ups `official` asked for in `query`, in the deployment's order of counties.
pub async fn rollups(counties: &Counties, official: &Official, query: RollupQuery, now_ms: i64) -> Result<Rollups, ReportError> {
    let asked: Option<Vec<&str>> = query.counties.as_ref().map(|c| c.iter().map(String::as_str).collect());
    if let Some(asked) = &asked
        && asked.iter().any(|c| !official.counties.iter().any(|o| o == c))
    {
        // A county outside the official's is as if it did not exist.
        return Err(ReportError::NotFound);
    }
    let week = query.week.unwrap_or_else(|| IsoWeek::of_ms(now_ms));
    let mut out = Vec::new();
    for county in counties.iter().filter(|c| official.counties.contains(&c.county.code)) {
        if asked.as_ref().is_some_and(|a| !a.contains(&county.county.code.as_str())) {
            continue;
        }
        let query = compliance::ComplianceQuery { week: Some(week), ..Default::default() };
        let report = compliance::report(&*county.store, &Audience::County, query, &county.reports.compliance, now_ms).await?;
        let rollup = report.county.ok_or(ReportError::Forbidden("the county roll-up is missing"))?;
        out.push(CountyRollup { code: county.county.code.clone(), name: county.county.name.clone(), rollup });
    }
    Ok(Rollups { week, as_of: now_ms, official: official.user.to_string(), role: official.role, counties: out })
}
