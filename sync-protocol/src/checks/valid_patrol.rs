//! Whether a patrol counts toward the weekly quota, by documented rules over its geofence
//! report, with an explanation in English that carries the numbers.
//!
//! # The rules (all must hold; the thresholds are [`QuotaRules`])
//! 1. time inside the zone ≥ `min_minutes_inside` (default 30);
//! 2. distance inside the zone ≥ `min_metres_inside` (default 1,000 m);
//! 3. share of the track's fixes inside ≥ `min_percent_inside` (default 80 %).
//!
//! Only the part inside the zone counts (time and distance as split in
//! [`super::patrol_report`], which leaves out impossible steps). Numbers in the explanation are
//! rounded down (minutes, tenths of a kilometre, whole per cent), so a failing value never reads
//! as reaching its threshold.
//!
//! # Holds
//! A patrol that meets the rules still does not count while a [`QuotaHold`] is on it:
//! - an impossible jump (a step faster than `max_speed_kmh`): the track does not prove the walk
//!   until a township or county user has reviewed it;
//! - a copy of another patrol's track (the later of the two in the server's order): the copy
//!   proves no walk at all; the source keeps counting.
//!
//! The explanation names each hold, e.g. "does not count: a jump of 900 km/h between fixes 17
//! and 18 at 2026-11-26 10:42:05 (impossible_speed) until a township or county user reviews it;
//! 133 min, 10.7 km in zone, 99 % inside".

use serde::{Deserialize, Serialize};

use super::patrol_report::GeofenceReport;
use crate::ids::EventId;
use crate::values::county_time;

/// The thresholds a patrol must reach to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QuotaRules {
    pub min_minutes_inside: u32,
    pub min_metres_inside: u32,
    pub min_percent_inside: u8,
}

impl Default for QuotaRules {
    fn default() -> Self {
        QuotaRules { min_minutes_inside: 30, min_metres_inside: 1_000, min_percent_inside: 80 }
    }
}

/// Whether the patrol counts, and why, e.g. "counts: 47 min, 3.2 km in zone, 96 % inside".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaDecision {
    pub counts: bool,
    pub explanation: String,
}

/// Why a patrol is kept from counting whatever its numbers (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "hold", rename_all = "snake_case")]
pub enum QuotaHold {
    /// The fastest impossible step: from fix `from_fix` to the next, at `at` (Unix ms).
    ImpossibleJump { kmh: u32, from_fix: usize, at: i64 },
    /// The track copies patrol `of`'s.
    Copy { of: EventId },
}

impl QuotaHold {
    /// e.g. "a copy of patrol 0192… (duplicate_track)".
    pub fn describe(&self) -> String {
        match self {
            QuotaHold::ImpossibleJump { kmh, from_fix, at } => format!(
                "a jump of {kmh} km/h between fixes {from_fix} and {} at {} (impossible_speed) until a township or county user reviews it",
                from_fix + 1,
                county_time(*at)
            ),
            QuotaHold::Copy { of } => format!("a copy of patrol {of} (duplicate_track)"),
        }
    }
}

/// Applies `rules` to a patrol's geofence report.
pub fn decide(report: &GeofenceReport, rules: &QuotaRules) -> QuotaDecision {
    decide_with(report, rules, &[])
}

/// Applies `rules` to a patrol's geofence report, with the holds on it.
pub fn decide_with(report: &GeofenceReport, rules: &QuotaRules, holds: &[QuotaHold]) -> QuotaDecision {
    let minutes = report.inside_ms.max(0) / 60_000;
    let tenths_km = (report.inside_m.max(0.0) / 100.0).floor() as u64;
    let percent = (report.fixes_inside * 100).checked_div(report.fixes).unwrap_or(0);
    let km = |tenths: u64| format!("{}.{}", tenths / 10, tenths % 10);

    let mut failures = Vec::new();
    if report.inside_ms < i64::from(rules.min_minutes_inside) * 60_000 {
        failures.push(format!("{minutes} min in zone, below {}", rules.min_minutes_inside));
    }
    if report.inside_m < f64::from(rules.min_metres_inside) {
        failures.push(format!("{} km in zone, below {}", km(tenths_km), km(u64::from(rules.min_metres_inside) / 100)));
    }
    // In integers, so 8 of 10 fixes is exactly 80 %.
    if report.fixes_inside * 100 < usize::from(rules.min_percent_inside) * report.fixes || report.fixes == 0 {
        failures.push(format!("{percent} % inside, below {}", rules.min_percent_inside));
    }
    let numbers = format!("{minutes} min, {} km in zone, {percent} % inside", km(tenths_km));
    if failures.is_empty() && holds.is_empty() {
        QuotaDecision { counts: true, explanation: format!("counts: {numbers}") }
    } else if failures.is_empty() {
        let held: Vec<String> = holds.iter().map(QuotaHold::describe).collect();
        QuotaDecision { counts: false, explanation: format!("does not count: {}; {numbers}", held.join("; ")) }
    } else {
        failures.extend(holds.iter().map(QuotaHold::describe));
        QuotaDecision { counts: false, explanation: format!("does not count: {}", failures.join("; ")) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(inside_min: f64, inside_m: f64, fixes: usize, fixes_inside: usize) -> GeofenceReport {
        GeofenceReport {
            fixes,
            fixes_inside,
            fixes_unassigned: 0,
            inside_ms: (inside_min * 60_000.0) as i64,
            outside_ms: 0,
            inside_m,
            outside_m: 0.0,
            max_outside_m: 0.0,
            crossings: Vec::new(),
            excluded_ms: 0,
            excluded_m: 0.0,
            flagged: false,
        }
    }

    #[test]
    fn each_rule_is_explained_with_its_numbers() {
        let rules = QuotaRules::default();
        let cases: [(GeofenceReport, bool, &str); 8] = [
            (report(47.5, 3_250.0, 100, 96), true, "counts: 47 min, 3.2 km in zone, 96 % inside"),
            (report(30.0, 1_000.0, 10, 8), true, "counts: 30 min, 1.0 km in zone, 80 % inside"),
            (report(12.0, 3_200.0, 100, 96), false, "does not count: 12 min in zone, below 30"),
            (report(29.99, 3_200.0, 100, 96), false, "does not count: 29 min in zone, below 30"),
            (report(47.0, 999.9, 100, 96), false, "does not count: 0.9 km in zone, below 1.0"),
            (report(47.0, 3_200.0, 1_000, 799), false, "does not count: 79 % inside, below 80"),
            (report(5.0, 400.0, 10, 5), false, "does not count: 5 min in zone, below 30; 0.4 km in zone, below 1.0; 50 % inside, below 80"),
            (report(0.0, 0.0, 0, 0), false, "does not count: 0 min in zone, below 30; 0.0 km in zone, below 1.0; 0 % inside, below 80"),
        ];
        for (r, counts, text) in cases {
            let d = decide(&r, &rules);
            assert_eq!((d.counts, d.explanation.as_str()), (counts, text));
        }
    }

    #[test]
    fn a_hold_keeps_a_patrol_from_counting_and_says_why() {
        let rules = QuotaRules::default();
        let jump = QuotaHold::ImpossibleJump { kmh: 900, from_fix: 17, at: 1_795_660_925_000 };
        let of: EventId = "0192f0c1-0000-7000-8000-000000000001".parse().expect("id");
        let d = decide_with(&report(133.5, 10_750.0, 100, 99), &rules, &[jump]);
        assert_eq!(
            (d.counts, d.explanation.as_str()),
            (
                false,
                "does not count: a jump of 900 km/h between fixes 17 and 18 at 2026-11-26 10:42:05 (impossible_speed) \
                 until a township or county user reviews it; 133 min, 10.7 km in zone, 99 % inside"
            )
        );
        let d = decide_with(&report(12.0, 3_200.0, 100, 96), &rules, &[QuotaHold::Copy { of }]);
        assert_eq!(
            d.explanation,
            "does not count: 12 min in zone, below 30; a copy of patrol 0192f0c1-0000-7000-8000-000000000001 (duplicate_track)"
        );
        assert_eq!(decide_with(&report(47.5, 3_250.0, 100, 96), &rules, &[]), decide(&report(47.5, 3_250.0, 100, 96), &rules));
    }

    #[test]
    fn rules_are_configurable() {
        let lenient = QuotaRules { min_minutes_inside: 10, min_metres_inside: 500, min_percent_inside: 50 };
        let d = decide(&report(12.0, 600.0, 10, 5), &lenient);
        assert_eq!(d, QuotaDecision { counts: true, explanation: "counts: 12 min, 0.6 km in zone, 50 % inside".into() });
        let strict = QuotaRules { min_minutes_inside: 60, min_metres_inside: 2_500, min_percent_inside: 100 };
        let d = decide(&report(47.0, 3_200.0, 100, 96), &strict);
        assert_eq!(d.explanation, "does not count: 47 min in zone, below 60; 96 % inside, below 100");
    }
}
