//! Upgrades of the report replies: version 4 adds an officer's village to `GET /v1/compliance` and
//! the steps the caller may take to `GET /v1/cases` (and `/v1/cases/{id}`). Each version's reply is
//! frozen in `tests/golden/replies/` (`compliance-v1.json` is the shape of versions 1 to 3); the
//! decoders below read them as a build of version 3 would, refusing any field it does not know, and
//! the real server answers each version in a shape that version reads.

use anyhow::{Context, Result};
use patrolsync_tests::app::spawn_app;
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::{DEMO_PASSWORD, office, tracks};
use serde_json::Value;
use std::collections::BTreeMap;
use sync_protocol::body::CaseSource;
use sync_protocol::compliance::{ComplianceRules, OfficerWeek, Rollup};
use sync_protocol::fold::{Head, Stage};
use sync_protocol::ids::{EventId, UnitId, ZoneId};
use sync_protocol::wire::cases::{CaseAction, CaseList, CaseSummary};
use sync_protocol::wire::reports::ComplianceReport;
use sync_protocol::wire::version::{CURRENT, HEADER, Versioned};

/// The replies as a build of version 3 decoded them: every struct refuses unknown fields.
#[allow(dead_code)] // each decoder reads every field of its version, as the build did
mod v3_build {
    use serde::Deserialize;
    use serde_json::Value;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Compliance {
        pub week: String,
        pub rules: Value,
        pub as_of: i64,
        pub officers: Vec<Officer>,
        pub townships: Value,
        pub county: Option<Value>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Officer {
        pub officer: String,
        pub week: String,
        pub township: Option<String>,
        pub patrols: u32,
        pub patrols_counting: u32,
        pub patrols_unchecked: u32,
        pub quota: u32,
        pub quota_met: bool,
        pub findings: u32,
        pub zero_report_needed: bool,
        pub zero_report_filed: bool,
        pub flags: u32,
        pub status: String,
        pub status_zh: String,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Cases {
        pub cases: Vec<Case>,
        pub more: bool,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Case {
        pub id: String,
        pub source: Value,
        pub township: String,
        pub status: String,
        pub stage: Option<String>,
        #[serde(default)]
        pub outcome: Option<String>,
        pub opened_by: String,
        pub opened_at: i64,
        pub last_step_at: i64,
        pub steps: usize,
        pub steps_not_holding: usize,
        pub heads: Vec<Value>,
        #[serde(default)]
        pub overdue: Option<Value>,
        #[serde(default)]
        pub major: Option<Value>,
        #[serde(default)]
        pub stopped_at: Option<i64>,
        #[serde(default)]
        pub rectify_deadlines: Vec<i64>,
    }
}

fn golden(name: &str) -> Result<Value> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("golden/replies/{name}.json"));
    serde_json::from_slice(&std::fs::read(&path)?).with_context(|| path.display().to_string())
}

fn id(n: u32) -> Result<EventId> {
    Ok(format!("0192f0c1-7a3b-7c00-8000-{n:012x}").parse()?)
}

/// The compliance reply frozen in the golden files: one officer of T01-V01, T01's roll-up.
fn compliance() -> Result<ComplianceReport> {
    let officer = OfficerWeek {
        officer: "vo-t01-v01".parse()?,
        week: "2026-W48".parse()?,
        township: Some(UnitId::new("T01")?),
        village: Some(UnitId::new("T01-V01")?),
        patrols: 2,
        patrols_counting: 1,
        patrols_unchecked: 0,
        quota: 2,
        quota_met: false,
        findings: 0,
        zero_report_needed: true,
        zero_report_filed: true,
        flags: 1,
        status: "1 of 2 patrols this week".into(),
        status_zh: "本周有效巡查 1/2 次".into(),
    };
    let townships = BTreeMap::from([(UnitId::new("T01")?, Rollup { officers: 1, patrols: 2, patrols_counting: 1, ..Rollup::default() })]);
    Ok(ComplianceReport {
        week: "2026-W48".parse()?,
        rules: ComplianceRules::default(),
        as_of: 1_764_131_280_000,
        officers: vec![officer],
        townships,
        county: None,
    })
}

/// The case listing frozen in the golden files: one verified case with the inspector's steps.
fn cases() -> Result<CaseList> {
    let head = Head { step: id(2)?, stage: Stage::Verified, outcome: None, by: "ti-t01-1".parse()?, at_ms: 1_764_131_270_000 };
    let case = CaseSummary {
        id: id(1)?,
        source: CaseSource::Finding(id(9)?),
        township: UnitId::new("T01")?,
        status: "verified".into(),
        stage: Some(Stage::Verified),
        outcome: None,
        opened_by: "ti-t01-1".parse()?,
        opened_at: 1_764_131_260_000,
        last_step_at: 1_764_131_270_000,
        steps: 2,
        steps_not_holding: 0,
        heads: vec![head],
        overdue: None,
        major: None,
        stopped_at: None,
        rectify_deadlines: vec![],
        actions: vec![CaseAction::Stop, CaseAction::Rectify, CaseAction::Joint, CaseAction::Refer, CaseAction::Close],
    };
    Ok(CaseList { cases: vec![case], more: false })
}

#[test]
fn the_report_replies_of_each_version_are_frozen_and_a_version_3_build_reads_its_own() -> Result<()> {
    for version in 1..=CURRENT {
        let (c, k) = if version < 4 { ("compliance-v1", "cases-v1") } else { ("compliance-v4", "cases-v4") };
        assert_eq!(serde_json::to_value(compliance()?.for_version(version))?, golden(c)?, "the compliance reply of version {version}");
        assert_eq!(serde_json::to_value(cases()?.for_version(version))?, golden(k)?, "the case listing of version {version}");
    }
    let old: v3_build::Compliance = serde_json::from_value(golden("compliance-v1")?)?;
    assert_eq!(old.officers[0].township.as_deref(), Some("T01"));
    assert!(serde_json::from_value::<v3_build::Compliance>(golden("compliance-v4")?).is_err(), "version 4 adds the village");
    assert_eq!(golden("compliance-v4")?["officers"][0]["village"], "T01-V01");
    drop(serde_json::from_value::<v3_build::Cases>(golden("cases-v1")?)?);
    assert!(serde_json::from_value::<v3_build::Cases>(golden("cases-v4")?).is_err(), "version 4 adds the actions");
    Ok(())
}

/// GETs `path` as a build of `version` (`None`: one that names none): the version answered, the JSON.
async fn get_as(d: &RawDevice, version: Option<&str>, path: &str) -> Result<(Option<String>, Value)> {
    let mut request = d.http.get(format!("{}{path}", d.url)).bearer_auth(d.token.clone().unwrap_or_default());
    if let Some(version) = version {
        request = request.header(HEADER, version);
    }
    let response = request.send().await?;
    anyhow::ensure!(response.status().is_success(), "{path}: {}", response.status());
    let answered = response.headers().get(HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
    Ok((answered, response.json().await?))
}

#[tokio::test]
async fn the_server_answers_the_reports_in_the_version_asked() -> Result<()> {
    let server = spawn_app()?;
    let (mut officer, mut inspector) = (RawDevice::new(&server.url(), "vo-t01-v01")?, RawDevice::new(&server.url(), "ti-t01-1")?);
    officer.login(DEMO_PASSWORD).await?;
    inspector.login(DEMO_PASSWORD).await?;
    let zone = ZoneId::new("Z-T01-V01")?;
    let start = now_ms() as i64 - 3_600_000;
    let patrol = officer.seal(&tracks::patrol(&zone, start, 20, 1));
    let finding = officer.seal(&tracks::finding(&zone, patrol.id, start + 60_000, sync_protocol::body::FindingKind::Other, None));
    officer.sync(&[patrol, finding.clone()]).await?;
    let opened = inspector.seal(&office::open_on_finding(finding.id, "T01"));
    inspector.sync(&[opened]).await?;

    for (named, expect) in [(None, 1), (Some("3"), 3), (Some("4"), 4), (Some("99"), CURRENT)] {
        let (answered, reply) = get_as(&inspector, named, "/v1/compliance").await?;
        assert_eq!(answered, Some(expect.to_string()));
        let row = reply["officers"].as_array().into_iter().flatten().find(|o| o["officer"] == "vo-t01-v01").context("the officer")?;
        let (_, cases) = get_as(&inspector, named, "/v1/cases").await?;
        if expect < 4 {
            drop(serde_json::from_value::<v3_build::Compliance>(reply.clone()).context("a version 3 build reads it")?);
            drop(serde_json::from_value::<v3_build::Cases>(cases.clone()).context("a version 3 build reads it")?);
            assert!(row.get("village").is_none(), "{row}");
        } else {
            assert_eq!(row["village"], "T01-V01", "{row}");
            assert_eq!(cases["cases"][0]["actions"], serde_json::json!(["verify", "unfounded", "stop", "refer"]), "{cases}");
        }
    }
    Ok(())
}
