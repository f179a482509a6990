//! Cases and tips recorded from the command line, the way inspectors and the county section work:
//! a village finding escalated, verified, stopped, referred, marked major and closed across three
//! phones; a tip with its informant recorded, whose informant never reaches a village officer.

use anyhow::{Context, Result, ensure};
use patrolsync_tests::DEMO_PASSWORD;
use patrolsync_tests::app::{TestApp, spawn_app};
use patrolsync_tests::device::{DeviceCli, write_walk};
use patrolsync_tests::raw::{RawDevice, now_ms};
use sync_protocol::ids::ZoneId;

fn phone(server: &TestApp, dir: &std::path::Path, user: &str) -> Result<DeviceCli> {
    let phone = DeviceCli::new(dir.join(format!("{user}.db")));
    phone.login(&server.url(), user, DEMO_PASSWORD)?;
    phone.run(&["sync"])?;
    Ok(phone)
}

/// The officer of Z-T01-V01 records a patrol `hours_ago` with a finding of `kind` and syncs;
/// returns the phone and the finding's id.
fn officer_with_finding(server: &TestApp, dir: &std::path::Path, hours_ago: i64, kind: &str, what: &str) -> Result<(DeviceCli, String)> {
    let officer = phone(server, dir, "vo-t01-v01")?;
    let start = now_ms() as i64 - hours_ago * 3_600_000;
    let track = write_walk(dir, "walk.gpx", &ZoneId::new("Z-T01-V01")?, start, 40, hours_ago as u64)?;
    let patrol = officer.record_patrol(&track, &["--findings"])?.to_string();
    let finding = officer
        .run(&["report-finding", "--patrol", &patrol, "--kind", kind, "--lon", "114.486", "--lat", "25.546", "--description", what])?
        .trim()
        .to_string();
    officer.run(&["sync"])?;
    Ok((officer, finding))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_finding_is_escalated_to_a_closed_major_case_and_a_tip_keeps_its_informant_hidden() -> Result<()> {
    let server = spawn_app()?;
    let dir = tempfile::tempdir()?;
    let (officer, finding) = officer_with_finding(&server, dir.path(), 3, "unlicensed_mining", "夜间偷采 night digging")?;

    let inspector = phone(&server, dir.path(), "ti-t01-1")?;
    let case = inspector.run(&["case", "open", "--finding", &finding, "--township", "T01", "--note", "received"])?.trim().to_string();
    inspector.run(&["case", "verify", "--case", &case, "--verdict", "confirmed"])?;
    inspector.run(&["case", "stop", "--case", &case, "--note", "excavator sealed"])?;
    inspector.run(&["case", "refer", "--case", &case, "--note", "repeat offender, beyond the township's powers"])?;
    // Referred, the case is the county's to close: the inspector's phone refuses it offline,
    // naming the steps still open to an inspector, and records nothing.
    let close = inspector.output(&["case", "close", "--case", &case, "--outcome", "penalised", "--note", "fined"])?;
    let said = String::from_utf8_lossy(&close.stderr);
    ensure!(!close.status.success() && said.contains("a township_inspector may not close it now"), "{said}");
    ensure!(said.contains("the steps open to you: stop, rectify, joint"), "{said}");
    let tip = inspector.receive_tip("trucks at night on the river road", "T01", "王某", "138-0000-0000")?.to_string();
    inspector.run(&[
        "tip",
        "assign",
        "--tip",
        &tip,
        "--township",
        "T01",
        "--village",
        "T01-V01",
        "--brief",
        "check the river road at night",
    ])?;
    let synced = inspector.run(&["sync"])?;
    assert!(synced.contains("0 rejected"), "{synced}");

    let county = phone(&server, dir.path(), "ca-1")?;
    let deadline = chrono::DateTime::from_timestamp_millis(now_ms() as i64 + 14 * 86_400_000).context("time")?.to_rfc3339();
    county.run(&["case", "major", "--case", &case, "--deadline", &deadline, "--note", "supervised by the county"])?;
    county.run(&["case", "close", "--case", &case, "--outcome", "penalised", "--note", "fined and the pit filled"])?;
    let refused = inspector.output(&["case", "verify", "--case", "not-an-id", "--verdict", "confirmed"])?;
    assert!(!refused.status.success(), "a malformed case id is refused at the edge");
    let synced = county.run(&["sync"])?;
    assert!(synced.contains("0 rejected"), "{synced}");

    let mut auditor = RawDevice::new(&server.url(), "ca-2")?;
    auditor.login(DEMO_PASSWORD).await?;
    let (_, projection) = auditor.projection().await?;
    let c = &projection["cases"][&case];
    assert_eq!(c["stage"], "closed", "{c}");
    assert_eq!(c["outcome"], "penalised");
    assert!(c["major"].is_object() && c["stopped_at"].is_i64(), "{c}");
    assert_eq!(projection["informants"].as_object().map(|m| m.len()), Some(1), "the county section sees the informant");

    officer.run(&["sync"])?;
    let mut village = RawDevice::new(&server.url(), "vo-t01-v01")?;
    village.login(DEMO_PASSWORD).await?;
    let pulled = village.pull_all().await?;
    assert!(pulled.iter().any(|e| e.kind == "tip.assigned"), "the village is asked to check the tip");
    assert!(pulled.iter().all(|e| e.kind != "tip.informant"), "but never learns who told");
    let mut commissioner = RawDevice::new(&server.url(), "cm-1")?;
    commissioner.login(DEMO_PASSWORD).await?;
    let (_, seen) = commissioner.projection().await?;
    assert!(seen["informants"].as_object().is_none_or(|m| m.is_empty()), "commissioners do not see informants");
    assert_eq!(seen["cases"][&case]["stage"], "closed");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_case_past_its_rectification_deadline_is_flagged_until_closed() -> Result<()> {
    let server = TestApp::spawn(&[("PATROLSYNC_OVERDUE_CHECK_S", "1")])?;
    let dir = tempfile::tempdir()?;
    let (_officer, finding) = officer_with_finding(&server, dir.path(), 72, "tailings_without_approval", "尾砂 tailings")?;
    let inspector = phone(&server, dir.path(), "ti-t01-1")?;
    let case = inspector.run(&["case", "open", "--finding", &finding, "--township", "T01"])?.trim().to_string();
    let yesterday = chrono::DateTime::from_timestamp_millis(now_ms() as i64 - 86_400_000).context("time")?.to_rfc3339();
    inspector.run(&["case", "verify", "--case", &case, "--verdict", "confirmed"])?;
    inspector.run(&["case", "rectify", "--case", &case, "--deadline", &yesterday, "--note", "fill the pond"])?;
    inspector.run(&["sync"])?;

    let mut auditor = RawDevice::new(&server.url(), "ca-1")?;
    auditor.login(DEMO_PASSWORD).await?;
    let flagged = |withdrawn: bool| {
        let auditor = &auditor;
        let case = case.clone();
        async move {
            let query = if withdrawn { "?kind=case_overdue&withdrawn=true" } else { "?kind=case_overdue" };
            let (_, list) = auditor.get_json(&format!("/v1/flags{query}")).await?;
            let flags = list["flags"].as_array().cloned().unwrap_or_default();
            anyhow::Ok(
                flags
                    .iter()
                    .filter(|f| f["event"] == case.as_str())
                    .map(|f| (f["detail"].to_string(), f["withdrawn_at"].is_i64()))
                    .collect::<Vec<_>>(),
            )
        }
    };
    let mut seen = Vec::new();
    for _ in 0..50 {
        seen = flagged(false).await?;
        if !seen.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(seen.len(), 1, "one open case_overdue flag: {seen:?}");
    assert!(seen[0].0.contains("order to rectify deadline") && seen[0].0.contains("missed"), "{seen:?}");
    tokio::time::sleep(std::time::Duration::from_millis(2_500)).await;
    assert_eq!(flagged(true).await?.len(), 1, "later rounds neither duplicate nor rewrite it");

    let county = phone(&server, dir.path(), "ca-2")?;
    county.run(&["case", "close", "--case", &case, "--outcome", "rectified", "--note", "pond filled"])?;
    county.run(&["sync"])?;
    let mut open = seen;
    for _ in 0..50 {
        open = flagged(false).await?;
        if open.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(open.is_empty(), "closing the case withdraws the flag: {open:?}");
    let all = flagged(true).await?;
    assert!(all.len() == 1 && all[0].1, "the one flag is kept, stamped withdrawn: {all:?}");
    Ok(())
}

/// Issue 14: a township office sees its cases from the command line, the heads of a case in
/// conflict included, and resolves it by one of them; `case list|show` ask the server (scoped:
/// another township's case is not found) or, with `--offline`, read the phone's replica.
#[tokio::test(flavor = "multi_thread")]
async fn an_office_lists_its_cases_shows_a_conflict_and_resolves_it_by_a_head() -> Result<()> {
    let server = spawn_app()?;
    let dir = tempfile::tempdir()?;
    let (_officer, finding) = officer_with_finding(&server, dir.path(), 5, "unlicensed_mining", "河道采砂 sand from the river")?;
    let a = phone(&server, dir.path(), "ti-t01-1")?;
    let b = phone(&server, dir.path(), "ti-t01-2")?;
    let case = a.run(&["case", "open", "--finding", &finding, "--township", "T01", "--note", "received"])?.trim().to_string();
    a.run(&["case", "verify", "--case", &case, "--verdict", "confirmed"])?;
    a.run(&["sync"])?;
    b.run(&["sync"])?;
    // Both act offline on the verified case: two heads that agree, so no conflict.
    let ordered = a.run(&["case", "rectify", "--case", &case, "--deadline", "2020-01-01T00:00:00+08:00", "--note", "fill the pit"])?;
    let stopped = b.run(&["case", "stop", "--case", &case, "--note", "pump removed"])?;
    a.run(&["sync"])?;
    b.run(&["sync"])?;
    a.run(&["sync"])?;
    let json = |phone: &DeviceCli, args: &[&str]| -> Result<serde_json::Value> { Ok(serde_json::from_str(&phone.run(args)?)?) };
    let listed = json(&a, &["case", "list", "--json"])?;
    let cases = listed["cases"].as_array().context("cases")?;
    assert_eq!(cases.len(), 1, "{listed}");
    assert_eq!((cases[0]["id"].as_str(), cases[0]["status"].as_str()), (Some(case.as_str()), Some("verified")));
    let heads: Vec<&str> = cases[0]["heads"].as_array().context("heads")?.iter().filter_map(|h| h["step"].as_str()).collect();
    assert_eq!(heads.len(), 2);
    assert!(heads.contains(&ordered.trim()) && heads.contains(&stopped.trim()), "{heads:?}");
    // The order's deadline has passed: the case is overdue, and the filters say so.
    assert_eq!(json(&a, &["case", "list", "--overdue", "--json"])?["cases"].as_array().map(Vec::len), Some(1));
    assert_eq!(json(&a, &["case", "list", "--conflict", "--json"])?["cases"].as_array().map(Vec::len), Some(0));
    assert_eq!(json(&a, &["case", "list", "--stage", "closed", "--json"])?["cases"].as_array().map(Vec::len), Some(0));

    // Now B closes and A refers, offline: a conflict, visible in the list and in `case show`.
    let closed = b.run(&["case", "close", "--case", &case, "--outcome", "rectified", "--note", "done"]);
    assert!(closed.is_err(), "B's replica holds two heads: a step needs one (resolve first)");
    let kept = a.run(&["case", "resolve", "--case", &case, "--keep", ordered.trim(), "--note", "one branch"])?;
    a.run(&["sync"])?;
    b.run(&["sync"])?;
    let closing = b.run(&["case", "close", "--case", &case, "--outcome", "rectified", "--note", "done"])?;
    let referral = a.run(&["case", "refer", "--case", &case, "--note", "beyond the township"])?;
    a.run(&["sync"])?;
    b.run(&["sync"])?;
    a.run(&["sync"])?;
    let conflicted = json(&a, &["case", "list", "--conflict", "--json"])?;
    assert_eq!(conflicted["cases"].as_array().map(Vec::len), Some(1), "{conflicted}");
    let shown = json(&a, &["case", "show", "--case", &case, "--json"])?;
    let steps = shown["case"]["steps"].as_array().context("steps")?;
    assert_eq!(steps.len(), 7, "opened, verified, ordered, stopped, resolved, closed, referred: {shown}");
    assert!(steps.iter().any(|s| s["event"] == kept.trim()));
    let mut branches: Vec<(String, String)> = shown["summary"]["heads"]
        .as_array()
        .context("heads")?
        .iter()
        .map(|h| (h["step"].as_str().unwrap_or("").to_owned(), h["stage"].as_str().unwrap_or("").to_owned()))
        .collect();
    branches.sort();
    let mut expected = vec![(closing.trim().to_owned(), "closed".to_owned()), (referral.trim().to_owned(), "referred".to_owned())];
    expected.sort();
    assert_eq!(branches, expected);
    // The phone's replica shows the same, offline; the text form names the heads to keep.
    assert_eq!(json(&a, &["case", "show", "--case", &case, "--json", "--offline"])?["case"], shown["case"]);
    let text = a.run(&["case", "show", "--case", &case])?;
    assert!(text.contains(closing.trim()) && text.contains(referral.trim()) && text.contains("case resolve"), "{text}");
    // In the words the protocol gives its values, not the program's names for them.
    for words in ["verified confirmed", "rectify order by 2020-01-01", "closed rectified", "referred"] {
        assert!(text.contains(words), "{words}: {text}");
    }
    assert!(!text.contains("Confirmed") && !text.contains("RectifyOrder") && !text.contains("Referred"), "{text}");

    // Scoped like the other reports: another township's inspector finds no such case.
    let elsewhere = phone(&server, dir.path(), "ti-t02-1")?;
    assert_eq!(json(&elsewhere, &["case", "list", "--json"])?["cases"].as_array().map(Vec::len), Some(0));
    let out = elsewhere.output(&["case", "show", "--case", &case])?;
    let said = String::from_utf8_lossy(&out.stderr).to_lowercase();
    assert!(!out.status.success() && (said.contains("not_found") || said.contains("not found")), "{out:?}");

    // Only the county resolves a conflict that includes the referral.
    let county = phone(&server, dir.path(), "ca-1")?;
    county.run(&["case", "resolve", "--case", &case, "--keep", referral.trim(), "--note", "the county takes it"])?;
    county.run(&["sync"])?;
    let after = json(&county, &["case", "show", "--case", &case, "--json"])?;
    assert_eq!(after["summary"]["status"], "referred", "{after}");
    Ok(())
}

/// The phone names its protocol version on every request, not only on a sync: the cases and
/// reports it fetches come in the current shape, with a case's next steps and each officer's
/// village (a request naming no version is answered as version 1, without them).
#[tokio::test(flavor = "multi_thread")]
async fn the_phone_reads_cases_and_compliance_in_the_shape_of_its_own_protocol() -> Result<()> {
    let server = spawn_app()?;
    let dir = tempfile::tempdir()?;
    let (_officer, finding) = officer_with_finding(&server, dir.path(), 4, "unlicensed_mining", "山坡开挖 a cut in the hillside")?;
    let inspector = phone(&server, dir.path(), "ti-t01-1")?;
    inspector.run(&["case", "open", "--finding", &finding, "--township", "T01", "--note", "received"])?;
    inspector.run(&["sync"])?;

    let listed: serde_json::Value = serde_json::from_str(&inspector.run(&["case", "list", "--json"])?)?;
    let actions = listed["cases"][0]["actions"].as_array().context("a case's actions")?;
    assert!(actions.iter().any(|a| a == "verify"), "an opened case offers its inspector to verify it: {listed}");

    let report: serde_json::Value = serde_json::from_str(&inspector.run(&["report", "compliance", "--township", "T01"])?)?;
    let officers = report["officers"].as_array().context("officers")?;
    assert!(!officers.is_empty(), "{report}");
    assert!(officers.iter().all(|o| o["village"].is_string()), "every officer's village is named: {report}");
    Ok(())
}
