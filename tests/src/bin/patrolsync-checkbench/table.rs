//! The bench's output: what the corpus holds, the table of precision and recall per flag kind, the
//! agreements, every disagreement, and the time each step took; or the same as JSON.

use std::time::Duration;

use serde::Serialize;
use sync_protocol::values::IsoWeek;

use crate::plan::{Plan, What};
use crate::score::Score;

/// The run, as `--json` prints it.
#[derive(Debug, Serialize)]
pub struct Run {
    pub seed: u64,
    pub patrols: usize,
    pub findings: usize,
    pub zero_reports: usize,
    pub reviews: usize,
    pub officers: usize,
    pub phones: usize,
    pub weeks: Vec<String>,
    pub cases: std::collections::BTreeMap<String, usize>,
    pub score: Score,
    pub seconds: Seconds,
    pub requests: usize,
    pub passed: bool,
}

#[derive(Debug, Serialize)]
pub struct Seconds {
    pub generate: f64,
    pub start: f64,
    pub push: f64,
    pub read: f64,
}

impl Seconds {
    pub fn of(d: [Duration; 4]) -> Seconds {
        Seconds { generate: d[0].as_secs_f64(), start: d[1].as_secs_f64(), push: d[2].as_secs_f64(), read: d[3].as_secs_f64() }
    }
}

impl Run {
    pub fn new(seed: u64, plan: &Plan, weeks: &[IsoWeek], score: Score, seconds: Seconds, requests: usize, passed: bool) -> Run {
        Run {
            seed,
            patrols: plan.count(|w| matches!(w, What::Patrol(_))),
            findings: plan.count(|w| matches!(w, What::Finding { .. })),
            zero_reports: plan.count(|w| matches!(w, What::ZeroReport(_))),
            reviews: plan.count(|w| matches!(w, What::Review { .. })),
            officers: plan.officers.len(),
            phones: plan.phones.len(),
            weeks: weeks.iter().map(ToString::to_string).collect(),
            cases: plan.case_counts(),
            score,
            seconds,
            requests,
            passed,
        }
    }

    pub fn print(&self) {
        println!(
            "corpus (seed {}): {} patrols, {} findings, {} zero reports, {} reviews; {} officers on {} phones; weeks {}",
            self.seed,
            self.patrols,
            self.findings,
            self.zero_reports,
            self.reviews,
            self.officers,
            self.phones,
            self.weeks.join(", ")
        );
        println!();
        println!("| flag kind | expected | raised | TP | FP | FN | precision | recall |");
        println!("|---|---:|---:|---:|---:|---:|---:|---:|");
        let ratio = |x: Option<f64>| x.map_or("—".to_string(), |v| format!("{v:.3}"));
        for k in &self.score.kinds {
            println!(
                "| `{}` | {} | {} | {} | {} | {} | {} | {} |",
                k.kind,
                k.expected,
                k.raised,
                k.tp,
                k.fp,
                k.fn_,
                ratio(k.precision),
                ratio(k.recall)
            );
        }
        println!();
        let s = &self.score;
        for (what, a) in s.agreements() {
            println!("{what}: {} / {} agree", a.agree, a.total);
        }
        println!("(officer-weeks meeting the quota by the labels: {} of {})", s.quota_met, s.quota.total);
        let disagreements: Vec<&String> = s.misses.iter().chain(s.agreements().iter().flat_map(|(_, a)| &a.disagreements)).collect();
        if !disagreements.is_empty() {
            println!();
            println!("{} disagreements:", disagreements.len());
            for d in disagreements.iter().take(60) {
                println!("  {d}");
            }
        }
        println!();
        println!(
            "generated in {:.1} s, server started in {:.1} s, sent in {:.1} s ({} sync requests), answers read in {:.1} s: {}",
            self.seconds.generate,
            self.seconds.start,
            self.seconds.push,
            self.requests,
            self.seconds.read,
            if self.passed { "passed" } else { "FAILED" }
        );
    }
}

/// The planted cases with their labels, as docs/checks.md lists them.
pub fn print_cases() {
    println!("| patrol case | what it is | flags | counts |");
    println!("|---|---|---|---|");
    for case in crate::cases::ALL {
        let (kinds, counts) = case.label();
        let kinds: Vec<String> = kinds.iter().map(|k| format!("`{}`", k.as_str())).collect();
        let kinds = if kinds.is_empty() { "none".to_string() } else { kinds.join(", ") };
        println!("| {case:?} | {} | {kinds} | {} |", case.describe(), if counts { "yes" } else { "no" });
    }
    println!();
    println!("| finding case | what it is |");
    println!("|---|---|");
    for (case, _, what) in crate::findings::CASES {
        println!("| {case:?} | {what} |");
    }
}
