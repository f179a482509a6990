//! The office's actions in the browser: the steps offered on each case against what the server
//! says the user may take (admission's own rules), a tip received, assigned, answered and a case
//! opened on it, a finding received from the reconciliation, a conflict resolved by the county.

use anyhow::{Context, Result, ensure};
use patrolsync_tests::browser::Browser;
use patrolsync_tests::raw::RawDevice;
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::world::World;

/// The new tip's informant, typed into the console by the inspector.
pub const NEW_INFORMANT: [&str; 2] = ["李新举", "13700000001"];
pub const NEW_TIP: &str = "河边有人夜间偷运萤石 fluorite carried off at night by the river";

/// Clicks `button` and waits until the page it is on (`page`) has been drawn again after it: the
/// action was stored (the page redraws only then).
pub async fn act(b: &Browser, button: &str, page: &str) -> Result<()> {
    b.eval("document.querySelector('main').dataset.ready = 'stale'; return null;").await?;
    b.wait(button).await?.click().await?;
    match b.ready(page).await {
        Ok(()) => Ok(()),
        Err(e) => Err(e.context(format!("{button} was not stored: {}", b.text("main").await.unwrap_or_default()))),
    }
}

/// Waits (up to 30 s) until `found` answers something for the JSON `path` reads as `d`.
async fn eventually<T>(d: &RawDevice, path: &str, found: impl Fn(&Value) -> Option<T>) -> Result<T> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, reply) = d.get_json(path).await?;
        if let Some(t) = found(&reply) {
            return Ok(t);
        }
        ensure!(Instant::now() < deadline, "never found in {path}: {reply}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The actions each case card offers (its buttons), checked against the card's `data-actions`
/// and against `GET /v1/cases` as `d` (the signed-in user) reads it; by case id.
pub async fn offered_actions(b: &Browser, d: &RawDevice) -> Result<BTreeMap<String, String>> {
    let script = "return [...document.querySelectorAll('article[data-case]')].map((a) =>
        [a.dataset.case, a.dataset.actions, [...a.querySelectorAll('button[data-action]')].map((x) => x.dataset.action).join(' ')]);";
    let cards: Vec<(String, String, String)> = serde_json::from_value(b.eval(script).await?)?;
    let (_, list) = d.get_json("/v1/cases").await?;
    let mut offered = BTreeMap::new();
    for (case, listed, buttons) in cards {
        ensure!(listed == buttons, "case {case}: buttons {buttons:?}, listed {listed:?}");
        let summary = list["cases"].as_array().into_iter().flatten().find(|c| c["id"] == case.as_str()).context("the case in the API")?;
        let api: Vec<&str> = summary["actions"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        ensure!(api.join(" ") == buttons, "case {case}: the page offers {buttons:?}, the server allows {api:?} to {}", d.user);
        offered.insert(case, buttons);
    }
    Ok(offered)
}

/// The inspector receives a tip with its informant, assigns it to a village's officer, opens a
/// case on it and answers it with that case: four signed events from the console's forms.
pub async fn a_tip_from_receipt_to_answer(b: &Browser, w: &World) -> Result<()> {
    b.wait("#tip-receive select[name='tip-channel']").await?.select_by_value("petition").await?;
    b.wait("#tip-content").await?.send_keys(NEW_TIP).await?;
    b.wait("#tip-name").await?.send_keys(NEW_INFORMANT[0]).await?;
    b.wait("#tip-contact").await?.send_keys(NEW_INFORMANT[1]).await?;
    act(b, "#tip-receive button[data-action='receive_tip']", "cases").await?;
    let tip = eventually(&w.auditor, "/v1/office", |o| {
        let tip = o["tips"].as_object()?.values().find(|t| t["content"] == NEW_TIP)?;
        let informant = o["informants"].as_object()?.values().any(|i| i["tip"] == tip["id"] && i["name"] == NEW_INFORMANT[0]);
        (informant && tip["recorded_by"] == "ti-t01-1").then(|| tip["id"].as_str().map(str::to_owned)).flatten()
    })
    .await?;
    ensure!(b.text("main").await?.contains(NEW_INFORMANT[1]), "the inspector reads the informant they recorded");
    let form = format!("form[data-tip='{tip}']");

    b.wait(&format!("{form} select[name='village']")).await?.select_by_value("T01-V02").await?;
    b.wait(&format!("{form} textarea[name='brief']")).await?.send_keys("请核查河边 check the river bank").await?;
    act(b, &format!("{form} button[data-action='assign']"), "cases").await?;
    let path = "/v1/office";
    eventually(&w.auditor, path, |o| (o["tips"][&tip]["assignments"][0]["village"] == "T01-V02").then_some(())).await?;

    b.wait(&format!("{form} input[name='note']")).await?.send_keys("举报立案 opened on the tip").await?;
    act(b, &format!("{form} button[data-action='open']"), "cases").await?;
    let case = eventually(&w.auditor, path, |o| o["tips"][&tip]["cases"][0].as_str().map(str::to_owned)).await?;

    b.wait(&format!("{form} select[name='case']")).await?.select_by_value(&case).await?;
    b.wait(&format!("{form} textarea[name='answer']")).await?.send_keys("已立案查处 a case was opened").await?;
    act(b, &format!("{form} button[data-action='answer']"), "cases").await?;
    eventually(&w.auditor, path, |o| (o["tips"][&tip]["answer"]["case"] == case.as_str()).then_some(())).await?;
    ensure!(
        b.eval(&format!("return document.querySelector(\"{form}\") === null;")).await? == Value::Bool(true),
        "an answered tip offers no action"
    );
    Ok(())
}

/// The inspector receives the finding nobody received, from the reconciliation: it leaves the list.
pub async fn receive_a_finding(b: &Browser, url: &str, w: &World) -> Result<()> {
    b.open(&format!("{url}/#/reconciliation?week={}&township=T01", w.week), "reconciliation").await?;
    let form = format!("form[data-finding='{}']", w.unreceived);
    b.wait(&format!("{form} input[name='note']")).await?.send_keys("已受理 received").await?;
    act(b, &format!("{form} button[data-action='open']"), "reconciliation").await?;
    ensure!(b.eval(&format!("return document.querySelector(\"{form}\") === null;")).await? == Value::Bool(true), "still not received");
    let (_, r) = w.inspector.get_json(&format!("/v1/reconciliation?township=T01&week={}", w.week)).await?;
    let still = r["findings_not_received"].as_array().into_iter().flatten().any(|f| f["finding"] == w.unreceived.to_string().as_str());
    ensure!(!still, "the server still lists the finding: {r}");
    Ok(())
}

/// The county resolves the conflict the two inspectors left, keeping the referral.
pub async fn the_county_resolves_the_conflict(b: &Browser, w: &World) -> Result<()> {
    let card = format!("article[data-case='{}']", w.conflict);
    let (_, detail) = w.auditor.get_json(&format!("/v1/cases/{}", w.conflict)).await?;
    let heads = detail["summary"]["heads"].as_array().cloned().unwrap_or_default();
    let referred = heads.iter().find(|h| h["stage"] == "referred").and_then(|h| h["step"].as_str()).context("the referred head")?;
    b.wait(&format!("{card} select[name='keep']")).await?.select_by_value(referred).await?;
    b.wait(&format!("{card} textarea")).await?.send_keys("县矿产股接办 the county takes it").await?;
    act(b, &format!("{card} button[data-action='resolve']"), "cases").await?;
    b.wait(&format!("article[data-case='{}'][data-stage='referred']", w.conflict)).await?;
    Ok(())
}
