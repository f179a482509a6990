//! The week page against `GET /v1/compliance` (protocol 4: each officer's village): the township's
//! row, each village's row (the sums of its officers'), an officer's row, the page filtered to a
//! village, and the devices not synced for N days against `GET /v1/devices/unsynced`.

use anyhow::{Context, Result, ensure};
use patrolsync_tests::browser::Browser;
use serde_json::Value;

use super::world::World;

/// The cells of every body row of the page's tables.
async fn rows(b: &Browser) -> Result<Vec<Vec<String>>> {
    let script = "return [...document.querySelectorAll('main table tbody tr')].map((tr) => [...tr.cells].map((c) => c.textContent));";
    Ok(serde_json::from_value(b.eval(script).await?)?)
}

/// The first row whose first cells are `first`.
async fn row(b: &Browser, first: &[&str]) -> Result<Vec<String>> {
    rows(b)
        .await?
        .into_iter()
        .find(|r| r.len() >= first.len() && r.iter().zip(first).all(|(c, f)| c == f))
        .with_context(|| format!("no row {first:?}"))
}

fn percent(v: &Value) -> String {
    v.as_u64().map_or("—".into(), |p| p.to_string())
}

/// Township T01, village T01-V01 and officer vo-t01-v01 as the report has them.
pub async fn by_township_village_and_officer(b: &Browser, w: &World) -> Result<()> {
    let (_, report) = w.inspector.get_json("/v1/compliance").await?;
    let t01 = &report["townships"]["T01"];
    let expect = vec![
        "T01".to_owned(),
        t01["officers"].to_string(),
        format!("{} ({}%)", t01["quota_met"], percent(&t01["quota_met_percent"])),
        t01["patrols"].to_string(),
        t01["patrols_counting"].to_string(),
        format!("{}/{}", t01["zero_reports_filed"], t01["zero_reports_needed"]),
        percent(&t01["reporting"]["report_rate_percent"]),
        t01["flags"].to_string(),
    ];
    assert_eq!(row(b, &["T01"]).await?, expect, "the week page's T01 row against GET /v1/compliance");

    let officers: Vec<&Value> = report["officers"].as_array().into_iter().flatten().filter(|o| o["village"] == "T01-V01").collect();
    ensure!(!officers.is_empty(), "the report names the officers' village: {report}");
    let sum = |k: &str| officers.iter().map(|o| o[k].as_u64().unwrap_or(0)).sum::<u64>();
    let count = |f: &dyn Fn(&Value) -> bool| officers.iter().filter(|o| f(o)).count();
    let met = count(&|o| o["quota_met"] == true);
    let village = row(b, &["T01", "T01-V01"]).await?;
    let expect = vec![
        "T01".to_owned(),
        "T01-V01".to_owned(),
        officers.len().to_string(),
        format!("{met} ({}%)", met * 100 / officers.len()),
        sum("patrols").to_string(),
        sum("patrols_counting").to_string(),
        format!(
            "{}/{}",
            count(&|o| o["zero_report_needed"] == true && o["zero_report_filed"] == true),
            count(&|o| o["zero_report_needed"] == true)
        ),
        sum("flags").to_string(),
    ];
    assert_eq!(village, expect, "the village's row sums its officers'");

    let officer = row(b, &["vo-t01-v01"]).await?;
    let o = officers.iter().find(|o| o["officer"] == "vo-t01-v01").context("the officer's row")?;
    assert_eq!(officer[1..5], ["T01".to_owned(), "T01-V01".to_owned(), o["patrols"].to_string(), o["patrols_counting"].to_string()]);

    let (_, unsynced) = w.inspector.get_json("/v1/devices/unsynced").await?;
    // As the page writes a number: 3, 1.5.
    let days = unsynced["stale_sync_after_days"].as_f64().context("the days")?.to_string();
    ensure!(b.text("main").await?.contains(&days), "the page says after how many days ({days})");
    let devices = unsynced["devices"].as_array().cloned().unwrap_or_default();
    ensure!(devices.iter().any(|d| d["device"] == w.never_synced.to_string().as_str()), "the phone that never synced: {unsynced}");
    for d in &devices {
        let id = d["device"].as_str().unwrap_or_default();
        ensure!(row(b, &[id]).await.is_ok(), "device {id} not on the page");
    }
    Ok(())
}

/// The village's link: the officers of that village only.
pub async fn one_village(b: &Browser) -> Result<()> {
    super::offices::act(b, "main a[href*='village=T01-V01']", "week").await?;
    let officers = row(b, &["vo-t01-v01"]).await?;
    ensure!(officers[2] == "T01-V01");
    let others = rows(b).await?.into_iter().filter(|r| r.first().is_some_and(|c| c.starts_with("vo-")) && r[2] != "T01-V01").count();
    ensure!(others == 0, "officers of other villages shown with the village picked");
    Ok(())
}
