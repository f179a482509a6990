//! What the server answers, read as the county section reads it (`ca-1`): every flag not
//! withdrawn, reviewed ones included (`GET /v1/flags`, page by page), each week's compliance
//! (`GET /v1/compliance`) and the patrol ledger (`GET /v1/ledger`).

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result, ensure};
use patrolsync_tests::api::json;
use patrolsync_tests::raw::RawDevice;
use reqwest::StatusCode;
use sync_protocol::compliance::OfficerWeek;
use sync_protocol::ids::UserId;
use sync_protocol::values::IsoWeek;
use sync_protocol::wire::flags::{FlagList, FlagRecord, MAX_FLAGS_PER_PAGE};
use sync_protocol::wire::reports::{ComplianceReport, Ledger, LedgerRow};

pub struct Answers {
    pub flags: Vec<FlagRecord>,
    /// The ids `GET /v1/flags?high_priority=true` lists.
    pub high_priority: BTreeSet<i64>,
    pub weeks: BTreeMap<(UserId, IsoWeek), OfficerWeek>,
    /// Ledger rows by patrol id.
    pub ledger: BTreeMap<String, LedgerRow>,
}

pub async fn read(url: &str, password: &str, weeks: &[IsoWeek]) -> Result<Answers> {
    let mut county = RawDevice::new(url, "ca-1")?;
    county.login(password).await?;
    let flags = all_flags(&county, "").await?;
    let high_priority = all_flags(&county, "&high_priority=true").await?.iter().map(|f| f.id).collect();
    let mut by_week = BTreeMap::new();
    for week in weeks {
        let report: ComplianceReport = ok("compliance", county.compliance(&format!("week={week}")).await?)?;
        by_week.extend(report.officers.into_iter().map(|o| ((o.officer.clone(), o.week), o)));
    }
    let (first, last) = (weeks.first().context("a week")?.bounds_ms().0, weeks.last().context("a week")?.bounds_ms().1 - 1);
    let day = sync_protocol::values::county_date;
    let ledger: Ledger = ok("ledger", json(county.ledger(&format!("from={}&to={}", day(first), day(last))).await?).await?)?;
    Ok(Answers { flags, high_priority, weeks: by_week, ledger: ledger.rows.into_iter().map(|r| (r.patrol.clone(), r)).collect() })
}

/// Every flag not withdrawn, reviewed ones included, with the extra `filter`, page by page.
async fn all_flags(county: &RawDevice, filter: &str) -> Result<Vec<FlagRecord>> {
    let mut flags = Vec::new();
    let mut before = String::new();
    loop {
        let page: FlagList = ok("flags", county.flags(&format!("reviewed=true&limit={MAX_FLAGS_PER_PAGE}{filter}{before}")).await?)?;
        flags.extend(page.flags.iter().cloned());
        match page.flags.iter().map(|f| f.id).min().filter(|_| page.more) {
            Some(oldest) => before = format!("&before={oldest}"),
            None => return Ok(flags),
        }
    }
}

/// The typed answer of a route that answered 200.
fn ok<T: serde::de::DeserializeOwned>(route: &str, (status, body): (StatusCode, serde_json::Value)) -> Result<T> {
    ensure!(status == StatusCode::OK, "{route} answered {status}: {body}");
    serde_json::from_value(body).with_context(|| format!("the answer of {route}"))
}
