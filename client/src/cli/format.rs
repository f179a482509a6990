//! How the CLI shows values: times in county time (UTC+8), distances, durations, and the Chinese
//! labels of DOMAIN.md beside the English ones.

use chrono::{DateTime, FixedOffset};
use sync_protocol::body::{FindingKind, Role};
use sync_protocol::values::COUNTY_UTC_OFFSET_MS;

/// `2026-11-26 08:30` in county time.
pub fn time(ms: i64) -> String {
    let Some(offset) = FixedOffset::east_opt((COUNTY_UTC_OFFSET_MS / 1000) as i32) else { return ms.to_string() };
    DateTime::from_timestamp_millis(ms).map_or_else(|| ms.to_string(), |t| t.with_timezone(&offset).format("%Y-%m-%d %H:%M").to_string())
}

pub fn opt_time(ms: Option<i64>) -> String {
    ms.map_or_else(|| "never (从未)".to_owned(), time)
}

/// `3 d 4 h`, `25 min`, `12 s`.
pub fn duration(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", s / 60),
        3600..86_400 => format!("{} h {} min", s / 3600, s % 3600 / 60),
        _ => format!("{} d {} h", s / 86_400, s % 86_400 / 3600),
    }
}

pub fn distance(m: u64) -> String {
    if m >= 1000 { format!("{:.2} km", m as f64 / 1000.0) } else { format!("{m} m") }
}

pub fn role(r: Role) -> String {
    let zh = match r {
        Role::VillageOfficer => "动态巡查信息员",
        Role::TownshipInspector => "国土资源执法监察员",
        Role::CountyAuditor => "矿产股",
        Role::Commissioner => "特邀监察专员",
        Role::Admin => "管理员",
    };
    format!("{} ({zh})", r.as_str())
}

pub fn sync_state(s: &str) -> String {
    let zh = match s {
        "pending" => "待上传",
        "sent" => "已上传",
        "rejected" => "被退回",
        _ => "已同步",
    };
    format!("{s} ({zh})")
}

pub fn result(r: &str) -> String {
    match r {
        "nothing_found" => "nothing found (未发现问题)".into(),
        "findings" => "findings (有发现)".into(),
        other => other.into(),
    }
}

/// A protocol value in the word the wire gives it (`rectify_order` → "rectify order"), for
/// printing the enums of cases and their steps as the rest of the output names things.
pub fn word<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(|s| s.replace('_', " "))).unwrap_or_default()
}

/// Several values in their words, comma-separated.
pub fn words<T: serde::Serialize>(values: &[T]) -> String {
    values.iter().map(word).collect::<Vec<_>>().join(", ")
}

/// A finding kind in snake_case with its Chinese label.
pub fn finding_kind(kind: &str) -> String {
    let label = serde_json::from_value::<FindingKind>(serde_json::Value::String(kind.to_owned())).map(FindingKind::label_zh).unwrap_or("");
    format!("{kind} ({label})")
}

/// A patrol's check as the officer reads it: whether it counts and why, then the geofence in
/// numbers, e.g. "counts: 47 min, 3.2 km in zone, 96 % inside (计入每周巡查次数)".
pub fn patrol_check(verdict: &crate::replica::PatrolVerdict) -> String {
    let check = &verdict.check;
    let r = &check.report;
    let zh = if check.decision.counts { "计入每周巡查次数" } else { "不计入每周巡查次数" };
    let mut text = format!("{} ({zh})", check.decision.explanation);
    text.push_str(&format!(
        "\n  in zone (片区内) {} and {}, outside {} and {}; {} of {} fixes inside",
        duration(r.inside_ms),
        distance(r.inside_m.max(0.0) as u64),
        duration(r.outside_ms),
        distance(r.outside_m.max(0.0) as u64),
        r.fixes_inside,
        r.fixes
    ));
    if r.flagged {
        text.push_str(&format!(
            "\n  FLAGGED (预警): too much of the track outside the zone, up to {} beyond its boundary",
            distance(r.max_outside_m as u64)
        ));
    }
    if r.fixes_unassigned > 0 {
        text.push_str(&format!("\n  {} fixes when no zone was assigned to you", r.fixes_unassigned));
    }
    for c in &r.crossings {
        text.push_str(&format!("\n  {} {} the zone", time(c.t), if c.entering { "entered (进入)" } else { "left (离开)" }));
    }
    for flag in &verdict.plausibility {
        text.push_str(&format!("\n  FLAGGED (预警) {}: {}", flag.kind(), flag.detail()));
    }
    text
}

/// A finding's licence verdict as the officer reads it.
pub fn licence_verdict(v: &sync_protocol::checks::licence::LicenceVerdict) -> String {
    let mut text = match &v.licence {
        Some(l) => format!("inside licence (矿权范围内) {l}"),
        None => "inside no licence in force (不在有效矿权范围内)".to_owned(),
    };
    if v.high_priority {
        text.push_str("\n  HIGH PRIORITY: protected mineral (保护性开采特定矿种)");
    }
    for flag in &v.flags {
        text.push_str(&format!("\n  FLAGGED (预警) {}: {}", flag.kind(), flag.detail()));
    }
    text
}
