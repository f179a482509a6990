//! The office console in a real headless Chromium against the real application (docs/console.md):
//! one application in-process and one browser for every check, in the order an office works. A
//! JavaScript error or a Content-Security-Policy violation on any page fails the test. Screenshots
//! of every page go to `target/console-screenshots/`, and into `docs/console/` with
//! `UPDATE_SCREENSHOTS=1`.

mod offices;
mod patrol;
mod week;
mod world;

use anyhow::{Context, Result, ensure};
use patrolsync_tests::DEMO_PASSWORD;
use patrolsync_tests::app::spawn_app;
use patrolsync_tests::browser::Browser;
use patrolsync_tests::raw::RawDevice;
use serde_json::Value;
use std::path::PathBuf;
use world::World;

/// Every informant's name and contact the store holds: the world's, and the one the inspector types.
const SECRETS: [&str; 4] = ["王举报", "13900000000", offices::NEW_INFORMANT[0], offices::NEW_INFORMANT[1]];

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

/// [`page_done`] with `css` scrolled to the top of the window: the part of a long page a screenshot shows.
async fn page_at(b: &Browser, name: &str, css: &str) -> Result<()> {
    b.eval(&format!("document.querySelector({css:?}).scrollIntoView(); return null;")).await?;
    page_done(b, name).await
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
    let server = spawn_app()?;
    let mut w = world::world(&server).await?;
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
    inspector(b, url, w).await?;
    county(b, url, w).await?;
    commissioner(b, url, w).await?;

    // A village officer finds no office pages.
    sign_out(b).await?;
    signed_in(b, &format!("{url}/"), "vo-t01-v01", "none").await?;
    ensure!(b.eval("return document.querySelectorAll('#nav a').length;").await? == 0, "an officer sees office pages");
    b.no_errors("the officer's console").await?;
    page_done(b, "village-officer").await?;

    // Last, as it breaks the log: stored rows changed behind the server's back fail in the browser.
    sign_out(b).await?;
    signed_in(b, &format!("{url}/"), "ca-1", "week").await?;
    patrol::tampered_rows_fail_in_the_browser(b, url, w).await?;
    page_at(b, "patrol-tampered", "#patrol-amendments").await
}

/// The township inspector's week: figures, a patrol, the ledger, the case board, tips, the
/// reconciliation, flags, the map, and the English switch.
async fn inspector(b: &Browser, url: &str, w: &mut World) -> Result<()> {
    // The week's figures are those of GET /v1/compliance, by township, village and officer.
    b.sign_in("ti-t01-1", DEMO_PASSWORD).await?;
    b.ready("week").await?;
    week::by_township_village_and_officer(b, w).await?;
    page_done(b, "week").await?;
    week::one_village(b).await?;
    page_at(b, "week-village", "#week-officers").await?;

    // The patrol's page draws its track on the map, lists its amendment, verifies both events.
    b.open(&format!("{url}/#/patrol?id={}", w.patrol), "patrol").await?;
    let map = b.wait("#patrol-map[data-points]").await?;
    assert_eq!(map.attr("data-points").await?.as_deref(), Some(w.fixes.to_string().as_str()), "every fix drawn");
    b.wait("#patrol-map canvas, #patrol-map path.leaflet-interactive").await?;
    ensure!(b.text("main").await?.contains(&w.patrol.to_string()));
    patrol::amendments_and_signatures(b, w).await?;
    page_done(b, "patrol").await?;
    page_at(b, "patrol-signatures", "#patrol-amendments").await?;

    // The ledger, and its XLSX download: the same rows as GET /v1/ledger.
    let (from, today) = days();
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

    // The case board offers each case the steps the server allows this inspector; stop the
    // verified case; after a reload it is still on the board, stopped.
    b.open(&format!("{url}/#/cases"), "cases").await?;
    let offered = offices::offered_actions(b, &w.inspector).await?;
    assert_eq!(offered[&w.case.to_string()], "stop rectify joint refer close", "a verified case, to its township's inspector");
    assert_eq!(offered[&w.conflict.to_string()], "", "a conflict with a referral is the county's to resolve");
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
    integrity_holds(w, "the browser's signed step").await?;

    expired_session_keeps_the_form(b, url, w, &card).await?;

    // A tip received, assigned, opened as a case and answered; a finding received.
    offices::a_tip_from_receipt_to_answer(b, w).await?;
    page_at(b, "tips", "#tip-receive").await?;
    offices::receive_a_finding(b, url, w).await?;
    integrity_holds(w, "the tip's and the finding's signed steps").await?;

    flag_review(b, url, w).await?;

    // Every other page, in Chinese and after the switch in English.
    for page in ["map", "reconciliation"] {
        b.open(&format!("{url}/#/{page}?week={}", w.week), page).await?;
        if page == "map" {
            // Every patrol of the week in scope is drawn: the inspector's patrol among them.
            let map = b.wait("#week-map[data-drawn-ms]").await?;
            let drawn = map.attr("data-tracks").await?;
            ensure!(drawn.as_deref() == Some("1"), "tracks drawn: {drawn:?}");
            // Each point on its side of the zone, as the server placed it by the check's rule.
            let monday = chrono::NaiveDate::parse_from_str(&format!("{}-1", w.week), "%G-W%V-%u")?;
            let sunday = monday + chrono::Duration::days(6);
            let (_, features) = w.inspector.get_json(&format!("/v1/map?from={monday}&to={sunday}")).await?;
            let inside: Vec<bool> = serde_json::from_value(features["patrols"][0]["inside"].clone())?;
            let sides = (inside.iter().filter(|i| **i).count(), inside.iter().filter(|i| !**i).count());
            ensure!(sides.0 > 0 && sides.1 > 0, "the test's patrol is partly outside its zone: {sides:?}");
            assert_eq!(
                (map.attr("data-inside").await?, map.attr("data-outside").await?),
                (Some(sides.0.to_string()), Some(sides.1.to_string()))
            );
            gcj02_as_the_server(b).await?;
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
    b.ready("week").await
}

/// The console's WGS 84 → GCJ-02 shift (for GCJ-02 tiles) in Chromium equals the server's
/// (`sync_protocol::gcj02`), in the demo county and far from it.
async fn gcj02_as_the_server(b: &Browser) -> Result<()> {
    for (lon, lat) in [(114.4861, 25.5461), (114.21, 25.93), (121.47, 31.23), (87.6, 43.8)] {
        let script = format!("const done = arguments[0]; import('/console/js/geo.js').then((g) => done(g.toGcj02([{lat}, {lon}])));");
        let [glat, glon]: [f64; 2] = serde_json::from_value(b.client.execute_async(&script, vec![]).await?)?;
        let (elon, elat) = sync_protocol::gcj02::wgs84_to_gcj02(lon, lat);
        ensure!(
            (glat - elat).abs() < 1e-9 && (glon - elon).abs() < 1e-9,
            "{lon} {lat}: the console {glon} {glat}, the server {elon} {elat}"
        );
    }
    Ok(())
}

/// The first and last day of the ledger's range: the last two days (county time is within them).
fn days() -> (String, String) {
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let from = (chrono::Utc::now() - chrono::Duration::days(2)).format("%Y-%m-%d").to_string();
    (from, today)
}

async fn integrity_holds(w: &World, what: &str) -> Result<()> {
    let (_, integrity) = w.auditor.get_json("/v1/audit/integrity").await?;
    assert_eq!(integrity["breaks"], Value::Array(vec![]), "{what} verifies: {integrity}");
    Ok(())
}

/// The inspector reviews the finding's protected-mineral flag as confirmed: a signed
/// flag.reviewed, after which the flag leaves the open list and stays in the history.
async fn flag_review(b: &Browser, url: &str, w: &World) -> Result<()> {
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
    integrity_holds(w, "the browser's signed review").await
}

/// The county auditor is offered the county's steps (mark major, no referral) and resolves the
/// conflict the two inspectors left.
async fn county(b: &Browser, url: &str, w: &mut World) -> Result<()> {
    sign_out(b).await?;
    signed_in(b, &format!("{url}/#/cases"), "ca-1", "cases").await?;
    let offered = offices::offered_actions(b, &w.auditor).await?;
    assert_eq!(offered[&w.case.to_string()], "stop rectify joint major close", "a verified case, to the county");
    assert_eq!(offered[&w.conflict.to_string()], "resolve", "the county resolves a conflict with a referral");
    offices::the_county_resolves_the_conflict(b, w).await?;
    let offered = offices::offered_actions(b, &w.auditor).await?;
    assert_eq!(offered[&w.conflict.to_string()], "stop rectify joint major close", "a referred case, to the county");
    page_done(b, "cases-county").await?;
    integrity_holds(w, "the county's resolution").await
}

/// The commissioner reads the cases, tips, reconciliation and a patrol, but never an informant,
/// and is offered no action.
async fn commissioner(b: &Browser, url: &str, w: &World) -> Result<()> {
    sign_out(b).await?;
    signed_in(b, &format!("{url}/#/cases"), "cm-1", "cases").await?;
    b.wait(&format!("article[data-case='{}']", w.case)).await?;
    let no_action = "return document.querySelector('main button[data-action], main form[data-tip], #tip-receive') === null;";
    let pages = [
        ("cases-commissioner", format!("{url}/#/cases"), "cases"),
        ("reconciliation-commissioner", format!("{url}/#/reconciliation?week={}&township=T01", w.week), "reconciliation"),
        ("patrol-commissioner", format!("{url}/#/patrol?id={}", w.patrol), "patrol"),
    ];
    for (name, page, ready) in pages {
        b.open(&page, ready).await?;
        let source = b.client.source().await?;
        ensure!(!SECRETS.iter().any(|s| source.contains(s)), "an informant reached a commissioner's page ({name})");
        ensure!(b.eval(no_action).await? == Value::Bool(true), "an action offered to a commissioner ({name})");
        if name == "cases-commissioner" {
            ensure!(source.contains(offices::NEW_TIP), "the tip itself is shown");
            page_done(b, name).await?;
        }
    }
    // Nor in a download, nor in the browser's log (every level, not only errors).
    for entry in std::fs::read_dir(&b.downloads)? {
        std::fs::remove_file(entry?.path())?;
    }
    let (from, today) = days();
    b.open(&format!("{url}/#/ledger?from={from}&to={today}"), "ledger").await?;
    b.wait("#download-csv").await?.click().await?;
    let csv = std::fs::read(b.downloaded(".csv").await?)?;
    ensure!(!csv.is_empty(), "an empty download");
    ensure!(!SECRETS.iter().any(|s| String::from_utf8_lossy(&csv).contains(s)), "an informant in the commissioner's CSV");
    let log = b.log().await?;
    ensure!(!log.iter().any(|l| SECRETS.iter().any(|s| l.contains(s))), "an informant in the browser's log");
    ensure!(!log.iter().any(|l| l.starts_with("SEVERE")), "errors on the commissioner's pages: {log:?}");
    Ok(())
}
