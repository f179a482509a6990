//! Flag review (预警核查), end to end: a patrol held for an impossible jump does not count; the
//! township inspector reviews the flag as a false alarm, the patrol counts in `GET /v1/compliance`
//! and its explanation says who reviewed it; the flag leaves the open list and stays in the
//! history; a village officer's review is refused.

use anyhow::Result;
use patrolsync_server::args;
use patrolsync_tests::app::spawn_app;
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::tracks;
use reqwest::StatusCode;
use serde_json::Value;
use sync_protocol::body::{Body, FlagReviewed, FlagVerdict, Subject, SubjectKind};
use sync_protocol::ids::{EventId, UnitId, ZoneId};
use sync_protocol::values::IsoWeek;
use sync_protocol::wire::{AckStatus, FlagKind};

const OFFICER: &str = "vo-t03-v02";

async fn push(d: &mut RawDevice, body: &Body) -> Result<(EventId, AckStatus)> {
    let e = d.seal(body);
    let r = d.sync(std::slice::from_ref(&e)).await?;
    Ok((e.id, r.acks[0].status))
}

async fn get(d: &RawDevice, path: &str) -> Result<Value> {
    let (status, body) = d.get_json(path).await?;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    Ok(body)
}

/// `(patrols, patrols_counting, status)` of the officer's week, as the inspector reads it.
async fn officer_week(d: &RawDevice, week: IsoWeek) -> Result<(u64, u64)> {
    let report = get(d, &format!("/v1/compliance?week={week}")).await?;
    let row = report["officers"].as_array().into_iter().flatten().find(|o| o["officer"] == OFFICER).cloned().unwrap_or_default();
    Ok((row["patrols"].as_u64().unwrap_or(0), row["patrols_counting"].as_u64().unwrap_or(0)))
}

fn review(patrol: EventId, verdict: FlagVerdict) -> Result<Body> {
    Ok(Body::FlagReviewed(FlagReviewed {
        subject: Subject { kind: SubjectKind::Patrol, id: patrol },
        flag: FlagKind::ImpossibleSpeed,
        township: UnitId::new("T03")?,
        verdict,
        note: "桥下信号漂移，已随同巡查核实".into(),
    }))
}

#[tokio::test]
async fn a_held_patrol_reviewed_as_a_false_alarm_counts_and_a_village_officer_may_not_review() -> Result<()> {
    let server = spawn_app()?;
    let zone = ZoneId::new("Z-T03-V02")?;
    let mut officer = server.device(OFFICER).await?;
    let mut inspector = server.device("ti-t03-1").await?;
    let start = now_ms() as i64 - 6 * 3_600_000;
    let week = IsoWeek::of_ms(start);

    // A 49-minute walk inside the zone, one fix of which leaps 5 km east and back: an impossible jump.
    let mut patrol = tracks::line_patrol(&zone, tracks::zone_centre(&zone), start, 100, 2_000);
    if let Body::PatrolRecorded(p) = &mut patrol {
        p.track[50].lon += 500_000;
    }
    let (held, status) = push(&mut officer, &patrol).await?;
    assert_eq!(status, AckStatus::Accepted);
    assert_eq!(officer_week(&inspector, week).await?, (1, 0), "held: it does not count");
    let open = get(&inspector, "/v1/flags?kind=impossible_speed").await?;
    assert_eq!(open["flags"].as_array().map(Vec::len), Some(1), "{open}");

    // The village officer may not review the flag on their own patrol.
    let (_, status) = push(&mut officer, &review(held, FlagVerdict::FalseAlarm)?).await?;
    assert_eq!(status, AckStatus::Rejected, "a village officer's review is refused");
    assert_eq!(officer_week(&inspector, week).await?, (1, 0), "and changes nothing");

    // The township inspector reviews it as a false alarm: the patrol counts, and says why.
    let (reviewed, status) = push(&mut inspector, &review(held, FlagVerdict::FalseAlarm)?).await?;
    assert_eq!(status, AckStatus::Accepted);
    assert_eq!(officer_week(&inspector, week).await?, (1, 1), "the patrol counts again");
    let why: String = server.sql()?.value("SELECT explanation FROM patrol_checks WHERE patrol = ?1", args![held.0.as_bytes()])?;
    assert!(why.starts_with("counts: ") && why.ends_with("impossible_speed reviewed as a false alarm by ti-t03-1"), "{why}");

    // The flag leaves the open list and stays in the history, with its review.
    assert_eq!(get(&inspector, "/v1/flags?kind=impossible_speed").await?["flags"], Value::Array(Vec::new()));
    let history = get(&inspector, "/v1/flags?kind=impossible_speed&reviewed=true").await?;
    let flag = &history["flags"][0];
    assert_eq!(flag["event"], held.to_string(), "{history}");
    assert_eq!(flag["review"]["verdict"], "false_alarm");
    assert_eq!(flag["review"]["by"], "ti-t03-1");
    assert_eq!(flag["review"]["review"], reviewed.to_string());
    assert!(get(&inspector, "/v1/flags?kind=not_counted").await?["flags"].as_array().is_some_and(Vec::is_empty), "it counts now");
    Ok(())
}
