//! Compliance from events alone: officer weeks at the week's edges in county time, the report
//! rate and times, and the roll-ups per township and county.

use serde_json::{Value, json};

use super::*;
use crate::event::Event;
use crate::fold::case_tests::{event, id};

const H: i64 = 3_600_000;

pub(crate) fn week() -> IsoWeek {
    "2026-W48".parse().expect("week")
}

pub(crate) fn start() -> i64 {
    week().bounds_ms().0
}

fn square() -> Value {
    json!([[[1_145_000_000, 255_000_000], [1_146_000_000, 255_000_000], [1_146_000_000, 256_000_000], [1_145_000_000, 255_000_000]]])
}

/// Two townships: T01 with officers vo-1 and vo-2 on zone Z1, T02 with vo-3 on zone Z2.
pub(crate) fn county() -> Vec<Event> {
    let mut n = 1000;
    let mut next = |kind: &str, body: Value| {
        n += 1;
        event(n, 0xee, 1_000_000_000_000 + u64::from(n), "system", kind, body)
    };
    let mut events = Vec::new();
    for (zone, village, township) in [("Z1", "T01-V01", "T01"), ("Z2", "T02-V01", "T02")] {
        let body = json!({"v": 1, "zone": zone, "village": village, "township": township, "name": zone, "boundary": square(), "valid_from": 1_000_000_000_000_i64});
        events.push(next("zone.defined", body));
    }
    for (officer, zone) in [("vo-1", "Z1"), ("vo-2", "Z1"), ("vo-3", "Z2")] {
        let village = if zone == "Z1" { "T01-V01" } else { "T02-V01" };
        events.push(next(
            "user.enrolled",
            json!({"v": 1, "user": officer, "display_name": officer, "role": "village_officer", "units": [village]}),
        ));
        events.push(next("assignment.set", json!({"v": 1, "officer": officer, "zone": zone, "from": 1_000_000_000_000_i64})));
    }
    events
}

pub(crate) fn patrol(n: u16, officer: &str, zone: &str, started_at: i64) -> Event {
    let body = json!({"v": 1, "zone": zone, "started_at": started_at, "ended_at": started_at + H, "track": [], "summary": "", "result": "nothing_found"});
    event(n, 1, started_at as u64 + 2 * H as u64, officer, "patrol.recorded", body)
}

pub(crate) fn finding(n: u16, officer: &str, patrol: u16, observed_at: i64, stopped_on_spot: bool) -> Event {
    let body = json!({"v": 1, "patrol": id(patrol).to_string(), "zone": "Z1", "kind": "unlicensed_mining", "location": {"lon": 1_145_500_000, "lat": 255_100_000},
        "description": "pit", "stopped_on_spot": stopped_on_spot, "observed_at": observed_at});
    event(n, 1, observed_at as u64, officer, "finding.reported", body)
}

pub(crate) fn case_on(n: u16, finding: u16, at: i64) -> Event {
    event(
        n,
        2,
        at as u64,
        "ti-t01",
        "case.opened",
        json!({"v": 1, "source": {"finding": id(finding).to_string()}, "township": "T01", "note": ""}),
    )
}

pub(crate) fn stopped(n: u16, case: u16, at: i64) -> Event {
    let body = json!({"v": 1, "case": id(case).to_string(), "township": "T01", "after": id(case).to_string(), "note": ""});
    event(n, 2, at as u64, "ti-t01", "case.stopped", body)
}

pub(crate) fn zero_report(n: u16, officer: &str) -> Event {
    event(
        n,
        3,
        start() as u64 + 100 * H as u64,
        officer,
        "zero_report.filed",
        json!({"v": 2, "officer": officer, "week": "2026-W48", "zone": "Z2"}),
    )
}

#[test]
fn an_officer_week_runs_monday_to_monday_in_county_time() {
    let mut events = county();
    // Sunday 23:30 county time of the week before, Monday 00:10, and Sunday 23:59 of the week.
    events.extend([
        patrol(1, "vo-1", "Z1", start() - H / 2),
        patrol(2, "vo-1", "Z1", start() + H / 6),
        patrol(3, "vo-1", "Z1", start() + 7 * 24 * H - 60_000),
    ]);
    let p = Projection::fold(&events);
    let mut decisions = DecisionTable::default();
    decisions.counts.insert(id(1), true);
    decisions.counts.insert(id(2), true);
    decisions.flags.insert((UserId::new("vo-1").expect("user"), week()), 2);
    let rules = ComplianceRules::default();
    let w = officer_week(&p, &UserId::new("vo-1").expect("user"), week(), &rules, &decisions);
    assert_eq!((w.patrols, w.patrols_counting, w.patrols_unchecked, w.quota_met, w.flags), (2, 1, 1, false, 2));
    assert_eq!((w.status.as_str(), w.status_zh.as_str()), ("1 of 2 patrols this week (1 awaiting check)", "本周有效巡查 1/2 次"));
    assert_eq!((w.township.as_ref().map(UnitId::as_str), w.zero_report_needed, w.zero_report_filed), (Some("T01"), true, false));
    assert_eq!(w.village.as_ref().map(UnitId::as_str), Some("T01-V01"), "the village of the officer's zone");

    decisions.counts.insert(id(3), true);
    let w = officer_week(&p, &UserId::new("vo-1").expect("user"), week(), &rules, &decisions);
    assert_eq!((w.quota_met, w.status.as_str()), (true, "2 of 2 patrols this week"));
    let strict = ComplianceRules { weekly_quota: 3, ..rules };
    assert!(!officer_week(&p, &UserId::new("vo-1").expect("user"), week(), &strict, &decisions).quota_met);
}

#[test]
fn report_rate_and_times_come_from_findings_and_cases() {
    let t = start() + 24 * H;
    let now = start() + 6 * 24 * H;
    let mut events = county();
    events.push(patrol(1, "vo-1", "Z1", t - H));
    events.extend([
        finding(11, "vo-1", 1, t, false),
        case_on(21, 11, t + 2 * H),
        stopped(31, 21, t + 3 * H),
        finding(12, "vo-1", 1, t, false),
        case_on(22, 12, t + 30 * H),
        finding(13, "vo-1", 1, now - H, false),
        finding(14, "vo-1", 1, t, false),
        finding(15, "vo-1", 1, t, true),
        case_on(25, 15, t + H),
    ]);
    let p = Projection::fold(&events);
    let facts: Vec<FindingFact> = p.findings.values().map(|f| FindingFact::of(&p, f)).collect();
    let r = reporting(facts.iter(), &ComplianceRules::default(), now);
    assert_eq!((r.findings, r.received, r.received_in_time, r.awaiting, r.report_rate_percent), (5, 3, 2, 1, Some(50)));
    assert_eq!(r.to_receipt, Durations { count: 3, median_ms: Some(2 * H), max_ms: Some(30 * H) });
    assert_eq!(r.to_stop, Durations { count: 2, median_ms: Some(0), max_ms: Some(3 * H) });
    let lenient = ComplianceRules { report_within_h: 48, ..ComplianceRules::default() };
    assert_eq!(reporting(facts.iter(), &lenient, now).report_rate_percent, Some(75));
    assert_eq!(reporting(std::iter::empty(), &lenient, now).report_rate_percent, None);
}

#[test]
fn weeks_roll_up_per_township_and_for_the_county() {
    let t = start() + 24 * H;
    let mut events = county();
    events.extend([
        patrol(1, "vo-1", "Z1", t),
        patrol(2, "vo-1", "Z1", t + 24 * H),
        patrol(3, "vo-2", "Z1", t),
        patrol(4, "vo-3", "Z2", t),
    ]);
    events.extend([finding(11, "vo-2", 3, t, false), case_on(21, 11, t + H), zero_report(40, "vo-3")]);
    let p = Projection::fold(&events);
    let decisions = DecisionTable { counts: (1..=4).map(|n| (id(n), n != 4)).collect(), flags: Default::default() };
    let c = weekly(&p, week(), &ComplianceRules::default(), &decisions, t + 48 * H);
    let t01 = &c.townships[&UnitId::new("T01").expect("unit")];
    let t02 = &c.townships[&UnitId::new("T02").expect("unit")];
    assert_eq!((t01.officers, t01.quota_met, t01.quota_met_percent, t01.patrols, t01.patrols_counting), (2, 1, Some(50), 3, 3));
    assert_eq!((t01.zero_reports_needed, t01.zero_reports_filed, t01.reporting.report_rate_percent), (1, 0, Some(100)));
    assert_eq!((t02.officers, t02.quota_met, t02.zero_reports_needed, t02.zero_reports_filed, t02.reporting.findings), (1, 0, 1, 1, 0));
    assert_eq!((c.county.officers, c.county.quota_met, c.county.quota_met_percent, c.county.patrols), (3, 1, Some(33), 4));
    assert_eq!(t01.cases, CaseCounts { open: 1, in_conflict: 0, overdue: 0, major: 0, open_tips: 0 });
    assert_eq!((t02.cases.open, c.county.cases.open), (0, 1));
    assert_eq!(
        c.officers.iter().map(|o| o.status.as_str()).collect::<Vec<_>>(),
        vec!["2 of 2 patrols this week", "1 of 2 patrols this week", "0 of 2 patrols this week"]
    );
}

#[test]
fn open_overdue_and_conflicting_cases_and_open_tips_are_counted() {
    let t = start() + 24 * H;
    let mut events = county();
    events.extend([finding(11, "vo-1", 1, t, false), case_on(21, 11, t + H), finding(12, "vo-1", 1, t, false), case_on(22, 12, t + H)]);
    let on = |n: u16, case: u16, after: u16, kind: &str, extra: Value| {
        let mut body = json!({"v": 1, "case": id(case).to_string(), "township": "T01", "after": id(after).to_string(), "note": "why"});
        body.as_object_mut().expect("object").extend(extra.as_object().cloned().unwrap_or_default());
        event(n, 2 + (n % 2) as u8, (t + i64::from(n) * H) as u64, "ti-t01", kind, body)
    };
    // Case 21: verified, ordered to rectify within a day, not closed. Case 22: closed here, referred there.
    events.extend([
        on(31, 21, 21, "case.verified", json!({"verdict": "confirmed"})),
        on(32, 21, 31, "case.action_taken", json!({"action": "rectify_order", "deadline": t + 60 * H})),
        on(33, 22, 22, "case.verified", json!({"verdict": "confirmed"})),
        on(34, 22, 33, "case.closed", json!({"outcome": "rectified"})),
        on(35, 22, 33, "case.referred", json!({})),
        event(
            40,
            4,
            t as u64,
            "ti-t01",
            "tip.received",
            json!({"v": 1, "channel": "hotline", "content": "x", "received_at": t, "township": "T02"}),
        ),
    ]);
    let p = Projection::fold(&events);
    let rules = ComplianceRules::default();
    let at = |now| weekly(&p, week(), &rules, &DecisionTable::default(), now);
    let t01 = |c: &WeeklyCompliance| c.townships[&UnitId::new("T01").expect("unit")].cases.clone();
    assert_eq!(t01(&at(t + 48 * H)), CaseCounts { open: 2, in_conflict: 1, overdue: 0, major: 0, open_tips: 0 });
    assert_eq!(t01(&at(t + 61 * H)), CaseCounts { open: 2, in_conflict: 1, overdue: 1, major: 0, open_tips: 0 });
    assert_eq!(at(t).county.cases.open_tips, 1);
    assert_eq!(at(t).townships[&UnitId::new("T02").expect("unit")].cases.open_tips, 1);
}

#[test]
fn rules_have_defaults_and_refuse_unknown_settings() {
    assert_eq!(serde_json::from_str::<ComplianceRules>("{}").ok(), Some(ComplianceRules { weekly_quota: 2, report_within_h: 24 }));
    assert_eq!(serde_json::from_str::<ComplianceRules>(r#"{"weekly_quota": 3}"#).map(|r| r.weekly_quota).ok(), Some(3));
    assert!(serde_json::from_str::<ComplianceRules>(r#"{"quota": 3}"#).is_err());
}
