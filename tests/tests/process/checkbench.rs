//! The labelled corpus end to end (issue 13): `patrolsync-checkbench` generates a small seeded
//! corpus of patrols, findings, zero reports and reviews whose truth it plants (teleports, gaps,
//! copies moved by metres and replays, short and backdated walks, a forged future walk, phones with
//! clocks hours and days ahead, overlapping phones, mocked and outside walks, a phone left on a
//! desk; findings in and out of licences in force, expired, exploration-only, protected, renewed),
//! sends it through the real server as officers' phones, and scores the server's flags, quota
//! decisions and ledger against the labels. Every flag kind must reach precision and recall 0.98,
//! and every quota decision, ledger column and high-priority mark must agree.

use serde_json::Value;
use std::process::Command;

/// The flag kinds the corpus plants, each of which must be expected at least once.
const PLANTED: [&str; 18] = [
    "outside_zone",
    "not_counted",
    "impossible_speed",
    "tracking_gap",
    "duplicate_track",
    "too_short",
    "future_timestamp",
    "behind_device_clock",
    "overlapping_patrol",
    "mock_location",
    "unlicensed_area",
    "outside_licence",
    "mining_under_exploration",
    "expired_licence",
    "protected_mineral",
    "contradictory_zero_report",
    "clock_skew",
    "clock_offset",
];

#[test]
fn a_small_labelled_corpus_meets_the_thresholds_through_the_server() {
    let out = Command::new(env!("CARGO_BIN_EXE_patrolsync-checkbench"))
        .args(["--seed", "2026", "--patrols", "120", "--findings", "48", "--json"])
        .output()
        .expect("run patrolsync-checkbench");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let run: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}\n{}", String::from_utf8_lossy(&out.stderr)));
    let score = &run["score"];
    assert!(out.status.success() && run["passed"] == true, "the bench failed: {:#}", score);
    assert!(run["patrols"].as_u64() >= Some(120) && run["findings"].as_u64() >= Some(48), "{run:#}");

    let kinds = score["kinds"].as_array().expect("kinds");
    for k in kinds {
        let (precision, recall) = (k["precision"].as_f64().unwrap_or(1.0), k["recall"].as_f64().unwrap_or(1.0));
        assert!(precision >= 0.98 && recall >= 0.98, "{k}");
        assert!(k["expected"].as_u64() > Some(0), "a kind raised that nothing planted: {k}");
    }
    for kind in PLANTED {
        assert!(kinds.iter().any(|k| k["kind"] == kind && k["expected"].as_u64() > Some(0)), "{kind} is not planted: {kinds:?}");
    }
    for agreement in
        ["quota", "counting", "ledger_counts", "ledger_high_priority", "linked_licences", "flag_high_priority", "high_priority_filter"]
    {
        let a = &score[agreement];
        assert!(a["total"].as_u64() > Some(0) && a["agree"] == a["total"], "{agreement}: {a}");
    }
    // The quota is decided both ways: some officer-weeks meet it, some do not.
    let (met, weeks) = (score["quota_met"].as_u64().unwrap_or(0), score["quota"]["total"].as_u64().unwrap_or(0));
    assert!(weeks > 20 && met > 0 && met < weeks, "{met} of {weeks} officer-weeks meet the quota");
    let cases = run["cases"].as_object().expect("cases");
    for case in ["Parked", "CopyOther", "Replay", "ClockHours", "ClockDays", "Future", "Gcj02Edge", "EdgeWalk", "BorderWalk"] {
        assert!(cases.get(case).and_then(Value::as_u64) > Some(0), "{case} is not planted: {cases:?}");
    }
}
