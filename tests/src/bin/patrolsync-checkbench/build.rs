//! Generating the corpus for a seed: officers, the licences the county adds, every planted walk,
//! the findings on them, the zero reports (honest, and contradicted by a finding sent before or
//! after them), the township inspectors' reviews and the phones with clocks ahead; then the plan of
//! events, each with its label, checked for intents the schedule did not mean (`intent`).

use anyhow::Result;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sync_protocol::body::{PatrolRecorded, PatrolResult, ZeroReportFiled};
use sync_protocol::values::IsoWeek;
use sync_protocol::wire::FlagKind;

use crate::cases::{self, PatrolCase::*};
use crate::findings::{self, Host, PlannedFinding};
use crate::officers::{self, Officer};
use crate::patrols::{Placed, Placer, clock_walks};
use crate::plan::{Item, Plan, What};
use crate::schedule::{DAY, DAYS, Fortnight};

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub seed: u64,
    pub patrols: usize,
    pub findings: usize,
    /// Officers of the corpus; by default about one per 6.5 patrols (3 or so a week each).
    pub officers: Option<usize>,
}

/// The corpus of `spec`, its fortnight the two weeks before `now_ms`.
pub fn generate(spec: &Spec, now_ms: i64) -> Result<(Plan, Fortnight)> {
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let county = patrolsync_server::tools::demo::county();
    let fortnight = Fortnight::before(now_ms);
    let n = spec.officers.unwrap_or(spec.patrols * 10 / 65).clamp(8, county.officers().len());
    let officers = officers::select(&county, n, &mut rng)?;
    let imported = crate::licences::extra(&officers, county.licences(), &fortnight, &mut rng)?;
    let register: Vec<_> = county.licences().iter().chain(&imported).cloned().collect();

    let mut placer = Placer::new(&officers, fortnight);
    let counts = cases::counts(spec.patrols);
    let times = |case| counts.iter().find(|(c, _)| *c == case).map_or(0, |(_, n)| *n);
    // The first plain walks go one to each officer, so that every zone has a walk to carry findings.
    let mut plain = 0;
    for &(case, n) in &counts {
        let dependent = case.is_copy() || case.is_clock() || matches!(case, BorderWalk | Backdated | Overlap | Elsewhere | BackToBack);
        for _ in 0..if dependent { 0 } else { n } {
            let officer = (case.is_plain_walk() && plain < officers.len()).then_some(plain);
            plain += usize::from(case.is_plain_walk());
            placer.alone(case, officer, &mut rng)?;
        }
    }
    for _ in 0..times(BorderWalk) {
        placer.border_pair(&mut rng)?;
    }
    for _ in 0..times(Elsewhere) {
        placer.elsewhere(&mut rng)?;
    }
    for case in [CopyOwn, CopyOwnReviewed, CopyOther, CopyThinned, CopyBackdated, Replay] {
        for _ in 0..times(case) {
            placer.copy(case, &mut rng)?;
        }
    }
    for _ in 0..times(BackToBack) {
        placer.back_to_back(&mut rng)?;
    }
    for _ in 0..times(Backdated) {
        placer.backdated(&mut rng)?;
    }
    for _ in 0..times(Overlap) {
        placer.overlap(&mut rng)?;
    }
    clock_walks(&mut placer, ClockHours, times(ClockHours), &mut rng)?;
    clock_walks(&mut placer, ClockDays, times(ClockDays), &mut rng)?;
    clock_walks(&mut placer, Future, times(Future), &mut rng)?;

    let hosts: Vec<Host> = (placer.placed.iter().enumerate())
        .filter(|(_, p)| p.phone == "phone" && p.case.is_plain_walk())
        .map(|(i, p)| Host { placed: i, officer: p.officer, started_at: p.walked.started_at, ended_at: p.walked.ended_at })
        .collect();
    let planted = findings::plant(spec.findings, &hosts, &officers, &register, &mut rng)?;

    let mut plan = Plan::new(imported, officers.iter().map(|o| o.user.clone()).collect());
    add_walks(&mut plan, &officers, &placer.placed, &planted);
    add_findings(&mut plan, planted);
    add_zero_reports(&mut plan, &officers, &fortnight, &mut rng);
    add_reviews(&mut plan, &officers, &placer.placed, &fortnight);
    crate::intent::check(&plan)?;
    Ok((plan, fortnight))
}

fn add_walks(plan: &mut Plan, officers: &[Officer], placed: &[Placed], planted: &[PlannedFinding]) {
    for (i, p) in placed.iter().enumerate() {
        let o = &officers[p.officer];
        let phone = plan.phone(&o.user, p.phone, p.clock_offset_ms);
        let (mut expect, counts) = p.case.label();
        if !p.overlaps.is_empty() {
            expect.insert(FlagKind::OverlappingPatrol);
        }
        if p.phone == "clock phone" {
            plan.notices.insert(o.user.clone());
        }
        let found = planted.iter().any(|f| f.host == i);
        let body = PatrolRecorded {
            zone: o.zone.clone(),
            started_at: p.walked.started_at,
            ended_at: p.walked.ended_at,
            track: p.walked.track.clone(),
            summary: format!("核查语料 corpus walk ({:?})", p.case),
            result: if found { PatrolResult::Findings } else { PatrolResult::NothingFound },
            mock_fixes: p.walked.mock_fixes,
        };
        plan.items.push(Item {
            phone,
            push_at: p.push_at,
            order: (u8::from(p.late), p.walked.started_at),
            what: What::Patrol(body),
            case: format!("{:?}", p.case),
            officer: o.user.clone(),
            expect,
            counts: Some(counts),
            high_priority: planted.iter().any(|f| f.host == i && f.high_priority),
            linked: None,
        });
    }
}

fn add_findings(plan: &mut Plan, planted: Vec<PlannedFinding>) {
    for f in planted {
        let host = plan.items[f.host].clone();
        plan.items.push(Item {
            what: What::Finding { patrol: f.host, finding: f.body },
            case: f.case.name(),
            expect: f.expect,
            counts: None,
            high_priority: f.high_priority,
            linked: f.linked,
            ..host
        });
    }
}

/// Each officer-week without a finding gets an honest zero report three times in five; one with
/// findings gets a contradictory one two times in five, sent on the Sunday evening after the
/// week's findings, or before one of them that is typed in two days later.
fn add_zero_reports(plan: &mut Plan, officers: &[Officer], fortnight: &Fortnight, rng: &mut ChaCha8Rng) {
    for o in officers {
        for (k, week) in fortnight.weeks().into_iter().enumerate() {
            let found: Vec<usize> = (0..plan.items.len())
                .filter(|&i| matches!(&plan.items[i].what, What::Finding { finding, .. } if finding.zone == o.zone && IsoWeek::of_ms(finding.observed_at) == week))
                .collect();
            let file = if found.is_empty() { rng.gen_bool(0.6) } else { rng.gen_bool(0.4) };
            if !file {
                continue;
            }
            let sunday = fortnight.evening(7 * k + 6);
            if let Some(&late) = found.first().filter(|_| rng.gen_bool(0.5)) {
                plan.items[late].push_at = sunday + 2 * DAY;
                plan.items[late].case.push_str("+typed_in_late");
            }
            let phone = plan.phone(&o.user, "phone", 0);
            let expect = if found.is_empty() { Default::default() } else { [FlagKind::ContradictoryZeroReport].into() };
            plan.items.push(Item {
                phone,
                push_at: sunday,
                order: (2, 0),
                what: What::ZeroReport(ZeroReportFiled {
                    officer: o.user.clone(),
                    week,
                    zone: Some(o.zone.clone()),
                    note: "本周无发现 nothing found this week".into(),
                }),
                case: if found.is_empty() { "zero_report".into() } else { "zero_report:contradicted".into() },
                officer: o.user.clone(),
                expect,
                counts: None,
                high_priority: false,
                linked: None,
            });
        }
    }
}

/// The township inspector's reviews, sent after the fortnight.
fn add_reviews(plan: &mut Plan, officers: &[Officer], placed: &[Placed], fortnight: &Fortnight) {
    for (i, p) in placed.iter().enumerate() {
        let Some((flag, verdict)) = p.case.review() else { continue };
        let o = &officers[p.officer];
        let phone = plan.phone(&o.inspector, "inspector", 0);
        plan.items.push(Item {
            phone,
            push_at: fortnight.evening(DAYS + 2),
            order: (0, 0),
            what: What::Review { subject: i, flag, verdict, township: o.township.clone() },
            case: format!("review:{}:{}", flag.as_str(), verdict.as_str()),
            officer: o.inspector.clone(),
            expect: Default::default(),
            counts: None,
            high_priority: false,
            linked: None,
        });
    }
}
