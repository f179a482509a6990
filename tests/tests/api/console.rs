//! The office console in a real headless Chromium against the real application (docs/console.md):
//! one application in-process and one browser for every check, in the order an office works. A JavaScript error or a
//! Content-Security-Policy violation on any page fails the test. Screenshots of every page go to
//! `target/console-screenshots/`, and into `docs/console/` with `UPDATE_SCREENSHOTS=1`.

use anyhow::{Context, Result, bail, ensure};
use patrolsync_tests::app::{TestApp, spawn_app};
use patrolsync_tests::browser::{self, Browser};
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::{DEMO_PASSWORD, office, tracks};
use serde_json::Value;
use std::path::PathBuf;
use sync_protocol::body::{Body, FindingKind, Mineral};
use sync_protocol::ids::{EventId, ZoneId};
use sync_protocol::wire::AckStatus;

struct World {
    patrol: EventId,
    /// The ISO week of the patrol (county time).
    week: String,
    fixes: usize,
    case: EventId,
    inspector: RawDevice,
    auditor: RawDevice,
}

async fn accepted(d: &mut RawDevice, body: &Body) -> Result<EventId> {
    let e = d.seal(body);
    let r = d.sync(std::slice::from_ref(&e)).await?;
    ensure!(r.acks[0].status == AckStatus::Accepted, "{} by {}: {:?}", body.kind(), d.user, r.acks[0].reason);
    Ok(e.id)
}

/// A patrol with a finding in V1, a case on it verified by T1's inspector, a tip with an
/// informant recorded by the county.
async fn world(server: &TestApp) -> Result<World> {
    let device = |user: &str| RawDevice::new(&server.url(), user);
    let (mut officer, mut inspector, mut auditor) = (device("vo-t01-v01")?, device("ti-t01-1")?, device("ca-1")?);
    for d in [&mut officer, &mut inspector, &mut auditor] {
        d.login(DEMO_PASSWORD).await?;
    }
    let zone: ZoneId = "Z-T01-V01".parse()?;
    let start = now_ms() as i64 - 3 * 3_600_000;
    let body = tracks::patrol(&zone, start, 60, 7);
    let fixes = match &body {
        Body::PatrolRecorded(p) => p.track.len(),
        _ => bail!("a patrol"),
    };
    let patrol = accepted(&mut officer, &body).await?;
    let finding =
        accepted(&mut officer, &tracks::finding(&zone, patrol, start + 600_000, FindingKind::UnlicensedMining, Some(Mineral::RareEarth)))
            .await?;
    let case = accepted(&mut inspector, &office::open_on_finding(finding, "T01")).await?;
    accepted(&mut inspector, &office::verify(case, "T01", case)).await?;
    let tip = accepted(&mut auditor, &office::tip_received("T01", start)).await?;
    accepted(&mut auditor, &office::informant(tip, "T01")).await?;
    let week = sync_protocol::values::IsoWeek::of_ms(start).to_string();
    Ok(World { patrol, week, fixes, case, inspector, auditor })
}

fn shots() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/console-screenshots")
}

/// Screenshot of the page now, named `name`, and the accessibility check of it.
async fn page_done(b: &Browser, name: &str) -> Result<()> {
    b.screenshot(&shots().join(format!("{name}.png"))).await?;
    if std::env::var("UPDATE_SCREENSHOTS").is_ok() {
        std::fs::copy(
            shots().join(format!("{name}.png")),
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../docs/console/{name}.png")),
        )?;
    }
    let violations = b.accessibility().await?;
    ensure!(violations.is_empty(), "accessibility violations on {name}:\n{}", violations.join("\n"));
    b.no_errors(name).await
}

/// The session ends while a form is half typed (the admin disables and enables the inspector,
/// which ends every session of theirs): the next action opens the sign-in over the page, the text
/// stays, and after signing in the action goes through with it.
async fn expired_session_keeps_the_form(b: &Browser, url: &str, w: &mut World, card: &str) -> Result<()> {
    let note = "联合执法 joint action with the police, typed before the session ended";
    b.wait(&format!("{card} textarea")).await?.send_keys(note).await?;
    b.wait(&format!("{card} select[name='departments']")).await?.select_by_value("police").await?;
    let mut admin = RawDevice::new(url, "admin")?;
    admin.login(DEMO_PASSWORD).await?;
    for change in ["disable", "enable"] {
        let (status, body) = admin.post(&format!("/v1/admin/users/ti-t01-1/{change}"), b"").await?;
        ensure!(status.is_success(), "{change}: {status} {}", String::from_utf8_lossy(&body));
    }
    b.wait(&format!("{card} button[data-action='joint']")).await?.click().await?;
    b.wait("#signin[open] #signin-why:not([hidden])").await?;
    let kept = b.eval(&format!("return document.querySelector(\"{card} textarea\").value;")).await?;
    assert_eq!(kept, Value::from(note), "the half-typed note survives the expired session");
    b.sign_in("ti-t01-1", DEMO_PASSWORD).await?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let (_, detail) = w.auditor.get_json(&format!("/v1/cases/{}", w.case)).await?;
        let steps = detail["case"]["steps"].as_array().cloned().unwrap_or_default();
        if steps.iter().any(|s| s["note"] == note && s["by"] == "ti-t01-1") {
            break;
        }
        ensure!(std::time::Instant::now() < deadline, "the action was not sent after signing in again: {detail}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // The one failed request logged is the expected one: the push the ended session was refused.
    let errors = b.severe().await?;
    ensure!(errors.iter().all(|e| e.contains("/v1/sync") && e.contains("401")), "{errors:?}");
    b.ready("cases").await?;
    w.inspector.login(DEMO_PASSWORD).await?;
    Ok(())
}

/// The cells of the table row whose first cell is `first`, in the first table of `section`.
async fn row_cells(b: &Browser, first: &str) -> Result<Vec<String>> {
    let script = format!(
        "return [...document.querySelectorAll('main table tbody tr')].map((tr) => [...tr.cells].map((c) => c.textContent))
            .find((cells) => cells[0] === {first:?}) ?? null;"
    );
    let cells = b.eval(&script).await?;
    serde_json::from_value::<Option<Vec<String>>>(cells)?.with_context(|| format!("no row {first}"))
}

async fn signed_in(b: &Browser, url: &str, user: &str, page: &str) -> Result<()> {
    b.client.goto(url).await?;
    b.sign_in(user, DEMO_PASSWORD).await?;
    b.ready(page).await
}

async fn sign_out(b: &Browser) -> Result<()> {
    b.wait("#logout").await?.click().await?;
    b.wait("#signin[open]").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_in_a_real_browser() -> Result<()> {
    if !browser::available() {
        if std::env::var("CI").is_ok() {
            bail!("chromium and chromium-driver must be installed in CI (.ci/run installs them)");
        }
        eprintln!("skipped: chromium or chromedriver is not installed");
        return Ok(());
    }
    let server = spawn_app()?;
    let mut w = world(&server).await?;
    let b = Browser::start().await?;
    let url = server.url();
    let outcome = run(&b, &url, &mut w).await;
    b.close().await?;
    outcome
}

async fn run(b: &Browser, url: &str, w: &mut World) -> Result<()> {
    // A JavaScript error on a page is a failure: the check itself must see one.
    b.client.goto(&format!("{url}/")).await?;
    b.wait("#signin[open]").await?;
    b.eval("setTimeout(() => { throw new Error('deliberate'); }); return null;").await?;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    ensure!(b.no_errors("a page with an error").await.is_err(), "a thrown error was not caught by the check");
    page_done(b, "sign-in").await?;

    // The inspector signs in; the week's figures are those of GET /v1/compliance.
    b.sign_in("ti-t01-1", DEMO_PASSWORD).await?;
    b.ready("week").await?;
    let (_, report) = w.inspector.get_json("/v1/compliance").await?;
    let t01 = &report["townships"]["T01"];
    let cells = row_cells(b, "T01").await?;
    let expect = vec![
        "T01".to_owned(),
        t01["officers"].to_string(),
        format!("{} ({}%)", t01["quota_met"], t01["quota_met_percent"].as_u64().map_or("—".into(), |p| p.to_string())),
        t01["patrols"].to_string(),
        t01["patrols_counting"].to_string(),
        format!("{}/{}", t01["zero_reports_filed"], t01["zero_reports_needed"]),
        t01["reporting"]["report_rate_percent"].as_u64().map_or("—".into(), |p| p.to_string()),
        t01["flags"].to_string(),
    ];
    assert_eq!(cells, expect, "the week page's T01 row against GET /v1/compliance");
    let officer = row_cells(b, "vo-t01-v01").await?;
    let row = report["officers"].as_array().into_iter().flatten().find(|o| o["officer"] == "vo-t01-v01").context("officer row")?;
    assert_eq!(officer[2], row["patrols"].to_string());
    assert_eq!(officer[3], row["patrols_counting"].to_string());
    page_done(b, "week").await?;

    // The patrol's page draws its track on the map.
    b.open(&format!("{url}/#/patrol?id={}", w.patrol), "patrol").await?;
    let map = b.wait("#patrol-map[data-points]").await?;
    assert_eq!(map.attr("data-points").await?.as_deref(), Some(w.fixes.to_string().as_str()), "every fix drawn");
    b.wait("#patrol-map canvas, #patrol-map path.leaflet-interactive").await?;
    ensure!(b.text("main").await?.contains(&w.patrol.to_string()));
    page_done(b, "patrol").await?;

    // The ledger, and its XLSX download: the same rows as GET /v1/ledger.
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let from = (chrono::Utc::now() - chrono::Duration::days(2)).format("%Y-%m-%d").to_string();
    b.open(&format!("{url}/#/ledger?from={from}&to={today}&township=T01"), "ledger").await?;
    page_done(b, "ledger").await?;
    b.wait("#download-xlsx").await?.click().await?;
    let xlsx = b.downloaded(".xlsx").await?;
    let (_, ledger) = w.inspector.get_json(&format!("/v1/ledger?from={from}&to={today}&township=T01")).await?;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx)?;
    use calamine::Reader;
    let sheet = book.worksheet_range_at(0).context("a sheet")??;
    assert_eq!(sheet.height(), ledger["rows"].as_array().map_or(0, Vec::len) + 1, "a heading row and one row a patrol");
    b.no_errors("the download").await?;

    // The case board: stop the verified case; after a reload it is still on the board, stopped.
    b.open(&format!("{url}/#/cases"), "cases").await?;
    let card = format!("article[data-case='{}']", w.case);
    b.wait(&format!("{card}[data-stage='verified'][data-stopped='no']")).await?;
    ensure!(b.text("main").await?.contains("王举报"), "the inspector of the tip's township reads its informant");
    page_done(b, "cases").await?;
    b.wait(&format!("{card} textarea")).await?.send_keys("现场制止 stopped on site").await?;
    b.wait(&format!("{card} button[data-action='stop']")).await?.click().await?;
    b.wait(&format!("{card}[data-stopped='yes']")).await?;
    b.client.refresh().await?;
    b.ready("cases").await?;
    b.wait(&format!("{card}[data-stage='verified'][data-stopped='yes']")).await?;
    let (_, integrity) = w.auditor.get_json("/v1/audit/integrity").await?;
    assert_eq!(integrity["breaks"], Value::Array(vec![]), "the browser's signed step verifies: {integrity}");

    expired_session_keeps_the_form(b, url, w, &card).await?;

    // The inspector reviews the finding's protected-mineral flag as confirmed: a signed
    // flag.reviewed, after which the flag leaves the open list and stays in the history.
    b.open(&format!("{url}/#/flags"), "flags").await?;
    page_done(b, "flags").await?;
    let (_, open) = w.inspector.get_json("/v1/flags?kind=protected_mineral").await?;
    let flag = open["flags"].as_array().and_then(|f| f.first()).context("an open protected_mineral flag")?.clone();
    ensure!(flag["subject"] == "finding", "{flag}");
    let form = format!("form[data-flag='{}']", flag["id"]);
    b.wait(&format!("{form} select")).await?.select_by_value("confirmed").await?;
    b.wait(&format!("{form} input[name='note']")).await?.send_keys("稀土，现场已核实 rare earth, seen on site").await?;
    b.wait(&format!("{form} button[data-action='review']")).await?.click().await?;
    b.ready("flags").await?;
    let gone = format!("return document.querySelector(\"{form}\") === null;");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while b.eval(&gone).await? != Value::Bool(true) {
        ensure!(std::time::Instant::now() < deadline, "the reviewed flag stays in the open list");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (_, history) = w.inspector.get_json("/v1/flags?kind=protected_mineral&reviewed=true").await?;
    let reviewed = history["flags"].as_array().into_iter().flatten().find(|f| f["id"] == flag["id"]).context("the reviewed flag")?;
    assert_eq!(reviewed["review"]["verdict"], "confirmed", "{reviewed}");
    assert_eq!(reviewed["review"]["by"], "ti-t01-1");
    let (_, open) = w.inspector.get_json("/v1/flags?kind=protected_mineral").await?;
    ensure!(!open["flags"].as_array().into_iter().flatten().any(|f| f["id"] == flag["id"]), "still open: {open}");
    let (_, integrity) = w.auditor.get_json("/v1/audit/integrity").await?;
    assert_eq!(integrity["breaks"], Value::Array(vec![]), "the browser's signed review verifies: {integrity}");

    // Every other page, in Chinese and after the switch in English.
    for page in ["map", "reconciliation"] {
        b.open(&format!("{url}/#/{page}?week={}", w.week), page).await?;
        if page == "map" {
            // Every patrol of the week in scope is drawn: the inspector's patrol among them.
            let drawn = b.wait("#week-map[data-drawn-ms]").await?.attr("data-tracks").await?;
            ensure!(drawn.as_deref() == Some("1"), "tracks drawn: {drawn:?}");
            b.wait("#week-map path.leaflet-interactive, #week-map canvas").await?;
        }
        page_done(b, page).await?;
    }
    b.wait("#lang").await?.click().await?;
    b.ready("reconciliation").await?;
    ensure!(b.text("#nav").await?.contains("This week"), "the navigation in English");
    assert_eq!(b.eval("return document.documentElement.lang;").await?, "en");
    b.open(&format!("{url}/#/week"), "week").await?;
    page_done(b, "week-en").await?;
    b.wait("#lang").await?.click().await?;
    b.ready("week").await?;

    // The commissioner reads the cases but never the informant.
    sign_out(b).await?;
    signed_in(b, &format!("{url}/#/cases"), "cm-1", "cases").await?;
    b.wait(&card).await?;
    let source = b.client.source().await?;
    ensure!(!source.contains("王举报") && !source.contains("13900000000"), "the informant reached a commissioner's page");
    ensure!(b.eval("return document.querySelector('main button[data-action]') === null;").await? == Value::Bool(true), "no actions");
    page_done(b, "cases-commissioner").await?;
    // Nor in a download, nor in the browser's log (every level, not only errors).
    for entry in std::fs::read_dir(&b.downloads)? {
        std::fs::remove_file(entry?.path())?;
    }
    b.open(&format!("{url}/#/ledger?from={from}&to={today}"), "ledger").await?;
    b.wait("#download-csv").await?.click().await?;
    let csv = std::fs::read(b.downloaded(".csv").await?)?;
    ensure!(!csv.is_empty(), "an empty download");
    for secret in ["王举报", "13900000000"] {
        ensure!(!String::from_utf8_lossy(&csv).contains(secret), "the informant in the commissioner's CSV");
    }
    let log = b.log().await?;
    ensure!(!log.iter().any(|l| l.contains("王举报") || l.contains("13900000000")), "the informant in the browser's log");
    ensure!(!log.iter().any(|l| l.starts_with("SEVERE")), "errors on the commissioner's pages: {log:?}");

    // A village officer finds no office pages.
    sign_out(b).await?;
    signed_in(b, &format!("{url}/"), "vo-t01-v01", "none").await?;
    ensure!(b.eval("return document.querySelectorAll('#nav a').length;").await? == 0, "an officer sees office pages");
    b.no_errors("the officer's console").await?;
    page_done(b, "village-officer").await?;
    Ok(())
}
