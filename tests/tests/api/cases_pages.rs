//! `GET /v1/cases` a page at a time and `GET /v1/cases/{id}` by its key (issue 12: the store reads
//! a page from an index below its cursor, not every case in scope): the pages walked with `before`
//! give the whole list once, newest first; a filter on the state reads on until its page is full;
//! a case of another township is not found.

use anyhow::{Context, Result};
use patrolsync_tests::app::spawn_app;
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::{office, tracks};
use reqwest::StatusCode;
use serde_json::Value;
use sync_protocol::body::{Body, FindingKind};
use sync_protocol::ids::{EventId, ZoneId};
use sync_protocol::wire::AckStatus;

async fn accepted(d: &mut RawDevice, body: &Body) -> Result<EventId> {
    let e = d.seal(body);
    let r = d.sync(std::slice::from_ref(&e)).await?;
    anyhow::ensure!(r.acks[0].status == AckStatus::Accepted, "{} by {}: {:?}", body.kind(), d.user, r.acks[0].reason);
    Ok(e.id)
}

/// Opens `n` cases in the township of `zone`, each on a finding of its officer's patrol.
async fn open_cases(officer: &mut RawDevice, inspector: &mut RawDevice, zone: &str, township: &str, n: i64) -> Result<Vec<EventId>> {
    let zone = ZoneId::new(zone)?;
    let start = now_ms() as i64 - 3 * 3_600_000;
    let patrol = accepted(officer, &tracks::patrol(&zone, start, 40, 5)).await?;
    let mut cases = Vec::new();
    for i in 0..n {
        let finding = tracks::finding(&zone, patrol, start + 600_000 + i * 60_000, FindingKind::UnlicensedMining, None);
        let finding = accepted(officer, &finding).await?;
        cases.push(accepted(inspector, &office::open_on_finding(finding, township)).await?);
    }
    Ok(cases)
}

/// The ids of a listing and whether it says more follow.
async fn listed(d: &RawDevice, query: &str) -> Result<(Vec<String>, bool)> {
    let (status, body) = d.cases(query).await?;
    anyhow::ensure!(status == StatusCode::OK, "{query}: {status} {body}");
    let ids = body["cases"].as_array().context("cases")?.iter().map(|c| c["id"].as_str().unwrap_or_default().to_owned()).collect();
    Ok((ids, body["more"] == Value::Bool(true)))
}

#[tokio::test]
async fn cases_come_a_page_at_a_time_and_one_by_its_key() -> Result<()> {
    let server = spawn_app()?;
    let (mut officer, mut inspector) = (server.device("vo-t03-v02").await?, server.device("ti-t03-1").await?);
    let cases = open_cases(&mut officer, &mut inspector, "Z-T03-V02", "T03", 5).await?;
    let (mut elsewhere_officer, mut elsewhere) = (server.device("vo-t01-v01").await?, server.device("ti-t01-1").await?);
    let other = open_cases(&mut elsewhere_officer, &mut elsewhere, "Z-T01-V01", "T01", 1).await?[0];
    // The oldest case is verified: the one a filter on the stage finds at the end of the list.
    let oldest = *cases.iter().min().context("a case")?;
    accepted(&mut inspector, &office::verify(oldest, "T03", oldest)).await?;

    let mut newest_first: Vec<String> = cases.iter().map(EventId::to_string).collect();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(listed(&inspector, "").await?, (newest_first.clone(), false));
    let (mut walked, mut before) = (Vec::new(), None::<String>);
    loop {
        let query = before.as_ref().map_or("limit=2".to_owned(), |b| format!("limit=2&before={b}"));
        let (page, more) = listed(&inspector, &query).await?;
        assert!(page.len() <= 2 && (more || page.len() < 2 || walked.len() + page.len() == newest_first.len()), "{query}");
        before = page.last().cloned();
        walked.extend(page);
        if !more {
            break;
        }
    }
    assert_eq!(walked, newest_first, "the pages, walked with before, are the list once");
    assert_eq!(listed(&inspector, "stage=verified&limit=1").await?, (vec![oldest.to_string()], false));
    assert_eq!(listed(&inspector, "stage=received&limit=2").await?, (newest_first[..2].to_vec(), true));
    assert_eq!(listed(&inspector, "township=T01").await?, (vec![], false), "another township's, outside the scope");

    let county = server.device("ca-1").await?;
    assert_eq!(listed(&county, "").await?.0.len(), 6);
    assert_eq!(listed(&county, "township=T01").await?, (vec![other.to_string()], false));

    let (status, body) = inspector.case(&oldest.to_string()).await?;
    assert_eq!((status, body["summary"]["id"].as_str()), (StatusCode::OK, Some(oldest.to_string().as_str())), "{body}");
    assert_eq!(inspector.case(&other.to_string()).await?.0, StatusCode::NOT_FOUND, "another township's case");
    assert_eq!(county.case(&other.to_string()).await?.0, StatusCode::OK);
    Ok(())
}
