//! A scripted fortnight of the demo county through the real server: officers patrolling (some
//! under quota), zero reports, findings escalated and stopped, a finding never received, a
//! referred major case, tips, a device that stops syncing. Every compliance figure, reconciliation
//! row and ledger row is checked against what this test computes from its own script; the CSV and
//! XLSX exports read back to the JSON rows; every report refuses callers outside its scope.

use anyhow::{Context, Result};
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::server::TestServer;
use patrolsync_tests::{office, tracks};
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use sync_protocol::body::{Body, FindingKind, Mineral};
use sync_protocol::ids::{EventId, ZoneId};
use sync_protocol::values::IsoWeek;
use sync_protocol::wire::AckStatus;

mod ledger;

/// Seconds after which a device counts as not synced in this test (the server's setting).
const STALE_S: u64 = 5;

#[derive(Debug, Clone)]
struct Patrol {
    officer: String,
    id: EventId,
    week: IsoWeek,
    start: i64,
    counts: bool,
}

#[derive(Debug, Clone)]
struct Finding {
    officer: String,
    patrol: EventId,
    id: EventId,
    week: IsoWeek,
    observed: i64,
    stopped_on_spot: bool,
}

/// What the script did, from which the test computes every expected figure.
#[derive(Default)]
struct Script {
    patrols: Vec<Patrol>,
    findings: Vec<Finding>,
    zero_reports: BTreeSet<(String, IsoWeek)>,
    /// Finding → (receipt HLC ms, stop HLC ms).
    received: BTreeMap<EventId, (i64, Option<i64>)>,
}

async fn push(d: &mut RawDevice, body: &Body) -> Result<sync_protocol::event::Event> {
    let e = d.seal(body);
    let r = d.sync(std::slice::from_ref(&e)).await?;
    anyhow::ensure!(r.acks[0].status == AckStatus::Accepted, "{} by {}: {:?}", body.kind(), d.user, r.acks[0]);
    Ok(e)
}

impl Script {
    /// A patrol in `zone` on day `day` (0 = Monday) of `week` at 09:00 county time: 100 fixes
    /// along a line at the zone's centre count (49 min, 1.9 km, all inside); 24 fixes do not.
    async fn patrol(&mut self, d: &mut RawDevice, zone: &ZoneId, week: IsoWeek, day: i64, counts: bool) -> Result<EventId> {
        let start = week.bounds_ms().0 + day * 86_400_000 + 9 * 3_600_000;
        let fixes = if counts { 100 } else { 24 };
        let e = push(d, &tracks::line_patrol(zone, tracks::zone_centre(zone), start, fixes, 2_000)).await?;
        self.patrols.push(Patrol { officer: d.user.to_string(), id: e.id, week, start, counts });
        Ok(e.id)
    }

    async fn finding(&mut self, d: &mut RawDevice, zone: &ZoneId, patrol: EventId, stopped_on_spot: bool) -> Result<EventId> {
        let p = self.patrols.iter().find(|p| p.id == patrol).context("patrol")?.clone();
        let observed = p.start + 20 * 60_000;
        let mut body = tracks::finding(zone, patrol, observed, FindingKind::UnlicensedMining, Some(Mineral::RareEarth));
        if let Body::FindingReported(f) = &mut body {
            f.stopped_on_spot = stopped_on_spot;
        }
        let e = push(d, &body).await?;
        self.findings.push(Finding { officer: p.officer, patrol, id: e.id, week: p.week, observed, stopped_on_spot });
        Ok(e.id)
    }

    async fn zero_report(&mut self, d: &mut RawDevice, zone: &ZoneId, week: IsoWeek) -> Result<()> {
        push(d, &tracks::zero_report(&d.user.clone(), zone, week)).await?;
        self.zero_reports.insert((d.user.to_string(), week));
        Ok(())
    }

    /// The officer's row as the test computes it: `(patrols, counting, findings, zero filed)`.
    fn officer(&self, officer: &str, week: IsoWeek) -> (u64, u64, u64, bool) {
        let mine = || self.patrols.iter().filter(|p| p.officer == officer && p.week == week);
        let findings = self.findings.iter().filter(|f| f.officer == officer && f.week == week).count() as u64;
        (mine().count() as u64, mine().filter(|p| p.counts).count() as u64, findings, self.zero_reports.contains(&(officer.into(), week)))
    }
}

fn zone(s: &str) -> ZoneId {
    ZoneId::new(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

async fn get(d: &RawDevice, path: &str) -> Result<Value> {
    let (status, body) = d.get_json(path).await?;
    anyhow::ensure!(status == StatusCode::OK, "{path} by {}: {status} {body}", d.user);
    Ok(body)
}

async fn status(d: &RawDevice, path: &str) -> Result<StatusCode> {
    Ok(d.get_json(path).await?.0)
}

#[tokio::test]
async fn a_scripted_fortnight_matches_every_report() -> Result<()> {
    let stale_days = format!("{}", STALE_S as f64 / 86_400.0);
    let mut server = TestServer::start_with(&[("PATROLSYNC_RECONCILIATION_STALE_SYNC_AFTER_DAYS", &stale_days)])?;
    let now = now_ms() as i64;
    let w2 = IsoWeek::of_ms(now - 7 * 86_400_000);
    let w1 = IsoWeek::of_ms(now - 14 * 86_400_000);
    let mut s = Script::default();
    let (z1, z2, z3, z5) = (zone("Z-T03-V01"), zone("Z-T03-V02"), zone("Z-T03-V03"), zone("Z-T05-V01"));

    // The officer of T03-V03 patrols once in the first week, then the phone stops syncing.
    let mut v3 = server.device("vo-t03-v03").await?;
    s.patrol(&mut v3, &z3, w1, 1, true).await?;
    std::thread::sleep(std::time::Duration::from_secs(STALE_S + 1));

    // T03-V01: quota met and a zero report in week 1; one counting and one short patrol in week 2.
    let mut v1 = server.device("vo-t03-v01").await?;
    s.patrol(&mut v1, &z1, w1, 0, true).await?;
    s.patrol(&mut v1, &z1, w1, 3, true).await?;
    s.zero_report(&mut v1, &z1, w1).await?;
    s.patrol(&mut v1, &z1, w2, 1, true).await?;
    s.patrol(&mut v1, &z1, w2, 2, false).await?;
    // T03-V02: a rare-earth finding in week 1, escalated and stopped; one never received in week 2.
    let mut v2 = server.device("vo-t03-v02").await?;
    s.patrol(&mut v2, &z2, w1, 1, true).await?;
    let p = s.patrol(&mut v2, &z2, w1, 4, true).await?;
    let escalated = s.finding(&mut v2, &z2, p, false).await?;
    s.patrol(&mut v2, &z2, w2, 0, true).await?;
    let p = s.patrol(&mut v2, &z2, w2, 2, true).await?;
    let unreceived = s.finding(&mut v2, &z2, p, true).await?;
    // T05-V01: quota met in week 2, no zero report.
    let mut v5 = server.device("vo-t05-v01").await?;
    s.patrol(&mut v5, &z5, w2, 0, true).await?;
    s.patrol(&mut v5, &z5, w2, 1, true).await?;

    // The inspector receives, verifies and stops the finding, and refers it; the county marks it
    // major with a deadline already passed (so it is overdue).
    let mut inspector = server.device("ti-t03-1").await?;
    let opened = push(&mut inspector, &office::open_on_finding(escalated, "T03")).await?;
    let case = opened.id;
    let verified = push(&mut inspector, &office::verify(case, "T03", case)).await?;
    let stopped = push(&mut inspector, &office::stop(case, "T03", verified.id)).await?;
    s.received.insert(escalated, (opened.hlc.ms as i64, Some(stopped.hlc.ms as i64)));
    let referred = push(&mut inspector, &office::refer(case, "T03", stopped.id)).await?;
    let mut county = server.device("ca-1").await?;
    push(&mut county, &office::mark_major(case, "T03", referred.id, now - 3_600_000)).await?;
    // Two tips: one answered, one not.
    let open_tip = push(&mut inspector, &office::tip_received("T03", now - 2 * 86_400_000)).await?.id;
    push(&mut inspector, &office::informant(open_tip, "T03")).await?;
    push(&mut inspector, &office::assign_tip(open_tip, "T03", "T03-V02")).await?;
    let answered = push(&mut inspector, &office::tip_received("T03", now - 86_400_000)).await?.id;
    push(&mut inspector, &office::answer_tip(answered, "T03", None)).await?;

    check_compliance(&s, &[&v1, &v2, &v5], &county, &inspector, w1, w2, now).await?;
    // Everyone in T03 but the stopped phone syncs now, just before the reconciliation is read.
    for d in [&mut v1, &mut v2, &mut inspector] {
        d.sync(&[]).await?;
    }
    let r = get(&inspector, &format!("/v1/reconciliation?township=T03&week={w2}")).await?;
    check_reconciliation(&s, &r, &v3, unreceived, case, open_tip, w2)?;
    ledger::check_ledger(&s, &server, &county, &inspector, &v1).await?;
    read_model_is_the_logs(&mut server)
}

/// `audit read-model`: the rows the reports read equal those recomputed from the log, before and
/// after a rebuild; a row changed behind the writer's back is found; a store whose read model is
/// missing gets it rebuilt when the server opens it.
fn read_model_is_the_logs(server: &mut TestServer) -> Result<()> {
    let audit = |server: &TestServer, rebuild: bool| -> Result<(bool, Value)> {
        let mut args = vec!["audit", "read-model", "--json"];
        args.extend(rebuild.then_some("--rebuild"));
        let out = std::process::Command::new(patrolsync_tests::server::server_binary()).args(args).arg("--db").arg(server.db()).output()?;
        let json =
            serde_json::from_slice(&out.stdout).with_context(|| format!("the command's JSON: {}", String::from_utf8_lossy(&out.stderr)))?;
        Ok((out.status.success(), json))
    };
    for rebuild in [false, true] {
        let (ok, report) = audit(server, rebuild)?;
        assert!(ok, "{report}");
        assert_eq!(report["differences"], 0, "{report}");
        assert_eq!((report["patrols"].as_u64(), report["findings"].as_u64()), (Some(11), Some(2)), "{report}");
        assert_eq!((report["cases"].as_u64(), report["tips"].as_u64()), (Some(1), Some(2)), "{report}");
    }
    // Written beside the running server, as a hand edit of the file would be.
    let store = rusqlite::Connection::open(server.db())?;
    store.execute("UPDATE report_findings SET township = 'T99' WHERE rowid = (SELECT min(rowid) FROM report_findings)", [])?;
    let (ok, report) = audit(server, false)?;
    assert!(!ok && report["differences"] == 1, "{report}");
    // The officers' weekly counts, kept by triggers, are held to the patrols and their checks.
    store.execute(
        "UPDATE report_officer_weeks SET counting = counting + 1 WHERE patrols = (SELECT max(patrols) FROM report_officer_weeks)",
        [],
    )?;
    let (ok, report) = audit(server, false)?;
    assert!(!ok && report["differences"] == 2, "{report}");
    // Every column the reports read is held to the log, not only the rows' states and counts: each
    // change below is one more difference, named.
    let first = |table: &str, condition: &str| format!("rowid = (SELECT min(rowid) FROM {table} WHERE {condition})");
    let changes = [
        (format!("UPDATE patrols SET week = '2001-W01' WHERE {}", first("patrols", "entry IS NOT NULL")), "patrol "),
        (format!("UPDATE patrols SET started_at = started_at + 1 WHERE {}", first("patrols", "week <> '2001-W01'")), "patrol "),
        ("UPDATE report_cases SET closed = 1 - closed".to_string(), "case "),
        (format!("UPDATE report_tips SET open = 1 - open WHERE {}", first("report_tips", "1")), "tip "),
        (format!("UPDATE zero_reports SET zone = 'Z-T99-V99' WHERE {}", first("zero_reports", "1")), "zero reports"),
        // (The last two tables have no rowid: their first row by key.)
        (
            "UPDATE zone_versions SET village = 'T99-V99' WHERE (zone, valid_from) = (SELECT zone, valid_from FROM zone_versions LIMIT 1)"
                .to_string(),
            "zone versions",
        ),
        (
            "UPDATE report_filed SET server_seq = server_seq + 1000000 WHERE (entity, server_seq) = (SELECT entity, server_seq FROM report_filed LIMIT 1)"
                .to_string(),
            "filed events",
        ),
    ];
    let mut differences = 2;
    for (change, named) in changes {
        assert_eq!(store.execute(&change, [])?, 1, "{change}");
        let (ok, report) = audit(server, false)?;
        let examples = report["examples"].to_string();
        assert!(!ok && report["differences"].as_u64() > Some(differences), "{change}: {report}");
        assert!(examples.contains(named), "{change}: names {named}: {report}");
        differences = report["differences"].as_u64().unwrap_or_default();
    }
    store.execute_batch("DELETE FROM meta WHERE key = 'read_model'; DELETE FROM report_cases;")?;
    drop(store);
    server.restart()?;
    let (ok, report) = audit(server, false)?;
    assert!(ok && report["differences"] == 0, "rebuilt on open: {report}");
    Ok(())
}

/// Compliance per officer, per township and for the county, as the test computes it; and who sees what.
async fn check_compliance(
    s: &Script,
    officers: &[&RawDevice],
    county: &RawDevice,
    inspector: &RawDevice,
    w1: IsoWeek,
    w2: IsoWeek,
    now: i64,
) -> Result<()> {
    for week in [w1, w2] {
        let all = get(county, &format!("/v1/compliance?week={week}")).await?;
        let rows: BTreeMap<String, Value> = all["officers"]
            .as_array()
            .context("officers")?
            .iter()
            .map(|o| (o["officer"].as_str().unwrap_or("").to_string(), o.clone()))
            .collect();
        for officer in ["vo-t03-v01", "vo-t03-v02", "vo-t03-v03", "vo-t05-v01"] {
            let (patrols, counting, findings, zero) = s.officer(officer, week);
            let row = &rows[officer];
            let flags = get(county, &format!("/v1/flags?week={week}")).await?;
            let flagged = flags["flags"].as_array().context("flags")?.iter().filter(|f| f["officer"] == officer).count() as u64;
            assert_eq!(row["patrols"], patrols, "{officer} {week}");
            assert_eq!(row["patrols_counting"], counting, "{officer} {week}");
            assert_eq!(row["quota_met"], counting >= 2, "{officer} {week}");
            assert_eq!(row["findings"], findings, "{officer} {week}");
            assert_eq!(row["zero_report_needed"], findings == 0, "{officer} {week}");
            assert_eq!(row["zero_report_filed"], zero, "{officer} {week}");
            assert_eq!(row["flags"], flagged, "{officer} {week}");
            assert_eq!(row["status"], format!("{counting} of 2 patrols this week"), "{officer} {week}");
        }
        // T03's roll-up: its officers are every village officer of its villages (from the projection).
        let projection = get(county, "/v1/projection").await?;
        let t03_officers = projection["users"]
            .as_object()
            .context("users")?
            .values()
            .filter(|u| u["role"] == "village_officer" && u["units"][0].as_str().is_some_and(|v| v.starts_with("T03-")))
            .count() as u64;
        let mine = ["vo-t03-v01", "vo-t03-v02", "vo-t03-v03"].map(|o| s.officer(o, week));
        let t03 = &all["townships"]["T03"];
        assert_eq!(t03["officers"], t03_officers);
        assert_eq!(t03["quota_met"], mine.iter().filter(|o| o.1 >= 2).count() as u64);
        assert_eq!(t03["patrols"], mine.iter().map(|o| o.0).sum::<u64>());
        assert_eq!(t03["patrols_counting"], mine.iter().map(|o| o.1).sum::<u64>());
        assert_eq!(t03["zero_reports_needed"], t03_officers - mine.iter().filter(|o| o.2 > 0).count() as u64);
        assert_eq!(t03["zero_reports_filed"], mine.iter().filter(|o| o.2 == 0 && o.3).count() as u64);
        check_reporting(s, &t03["reporting"], week, now)?;
        assert_eq!(t03["cases"]["open"], 1);
        assert_eq!(t03["cases"]["major"], 1);
        assert_eq!(t03["cases"]["overdue"], 1);
        assert_eq!(t03["cases"]["open_tips"], 1);
        assert_eq!(all["county"]["patrols"], s.patrols.iter().filter(|p| p.week == week).count() as u64);
        // The inspector sees T03 only; no county roll-up.
        let theirs = get(inspector, &format!("/v1/compliance?week={week}")).await?;
        assert_eq!(theirs["townships"].as_object().map(|t| t.keys().cloned().collect::<Vec<_>>()), Some(vec!["T03".to_string()]));
        assert_eq!(theirs["townships"]["T03"], *t03);
        assert!(theirs["county"].is_null());
        assert_eq!(theirs["officers"].as_array().map(Vec::len), Some(t03_officers as usize));
    }
    // Each officer sees their own row only, and nothing of another township.
    for d in officers.iter() {
        let own = get(d, &format!("/v1/compliance?week={w2}")).await?;
        let rows = own["officers"].as_array().context("rows")?;
        assert_eq!((rows.len(), rows[0]["officer"].as_str()), (1, Some(d.user.as_str())));
        assert!(own["townships"].as_object().is_some_and(|t| t.is_empty()) && own["county"].is_null());
        assert_eq!(status(d, "/v1/compliance?township=T05").await?, StatusCode::NOT_FOUND);
    }
    assert_eq!(status(inspector, "/v1/compliance?township=T05").await?, StatusCode::NOT_FOUND);
    assert_eq!(status(inspector, "/v1/compliance?week=2026-W99").await?, StatusCode::BAD_REQUEST);
    Ok(())
}

/// The report figures of T03's findings observed in `week`.
fn check_reporting(s: &Script, r: &Value, week: IsoWeek, now: i64) -> Result<()> {
    let day = 24 * 3_600_000;
    let findings: Vec<&Finding> = s.findings.iter().filter(|f| f.week == week).collect();
    let receipts: Vec<i64> = findings.iter().filter_map(|f| s.received.get(&f.id).map(|(at, _)| (at - f.observed).max(0))).collect();
    let in_time = receipts.iter().filter(|&&ms| ms <= day).count() as u64;
    let awaiting = findings.iter().filter(|f| !s.received.contains_key(&f.id) && now <= f.observed + day).count() as u64;
    let stops: Vec<i64> = findings
        .iter()
        .filter_map(|f| {
            if f.stopped_on_spot { Some(0) } else { s.received.get(&f.id).and_then(|(_, stop)| stop.map(|t| (t - f.observed).max(0))) }
        })
        .collect();
    assert_eq!(r["findings"], findings.len() as u64, "{week}");
    assert_eq!(r["received"], receipts.len() as u64, "{week}");
    assert_eq!(r["received_in_time"], in_time, "{week}");
    assert_eq!(r["awaiting"], awaiting, "{week}");
    let due = findings.len() as u64 - awaiting;
    assert_eq!(r["report_rate_percent"].as_u64(), (in_time * 100).checked_div(due), "{week}");
    let lower_median = |mut v: Vec<i64>| {
        v.sort();
        v.get(v.len().saturating_sub(1) / 2).copied()
    };
    assert_eq!(r["to_receipt"]["count"], receipts.len() as u64);
    assert_eq!(r["to_receipt"]["median_ms"].as_i64(), lower_median(receipts));
    assert_eq!(r["to_stop"]["count"], stops.len() as u64);
    assert_eq!(r["to_stop"]["median_ms"].as_i64(), lower_median(stops));
    Ok(())
}

fn ids(list: &Value, key: &str) -> Vec<String> {
    list.as_array().map(|a| a.iter().map(|x| x[key].as_str().unwrap_or_default().to_string()).collect()).unwrap_or_default()
}

fn check_reconciliation(
    s: &Script,
    r: &Value,
    stale: &RawDevice,
    unreceived: EventId,
    case: EventId,
    tip: EventId,
    w2: IsoWeek,
) -> Result<()> {
    let t03 = ["vo-t03-v01", "vo-t03-v02", "vo-t03-v03"];
    let under: BTreeSet<String> = t03.iter().filter(|o| s.officer(o, w2).1 < 2).map(|o| o.to_string()).collect();
    let listed: BTreeSet<String> = ids(&r["officers_under_quota"], "officer").into_iter().filter(|o| t03.contains(&o.as_str())).collect();
    assert_eq!(listed, under, "my officers under quota");
    let no_zero: BTreeSet<String> = t03.iter().filter(|o| s.officer(o, w2).2 == 0 && !s.officer(o, w2).3).map(|o| o.to_string()).collect();
    let listed: BTreeSet<String> = r["zero_reports_missing"]
        .as_array()
        .context("zero")?
        .iter()
        .filter_map(|o| o.as_str())
        .filter(|o| t03.contains(o))
        .map(str::to_string)
        .collect();
    assert_eq!(listed, no_zero);
    assert_eq!(ids(&r["devices_not_synced"], "device"), vec![stale.device.to_string()], "only the phone that stopped syncing");
    assert_eq!(ids(&r["findings_not_received"], "finding"), vec![unreceived.to_string()]);
    assert_eq!(r["findings_not_received"][0]["late"], true, "observed more than a day ago");
    assert_eq!(ids(&r["tips_unanswered"], "tip"), vec![tip.to_string()]);
    assert_eq!(r["tips_unanswered"][0]["village"], "T03-V02");
    assert_eq!(ids(&r["cases_overdue"], "case"), vec![case.to_string()]);
    assert_eq!(r["cases_overdue"][0]["missed"][0]["kind"], "supervision");
    Ok(())
}
