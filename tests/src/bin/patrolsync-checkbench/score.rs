//! The server's answers against the labels: per flag kind, true and false positives and negatives
//! over every planted event (and every phone, for the device-level `clock_offset` notice); per
//! officer-week, the quota decision and the count of patrols that count; per patrol, the ledger's
//! "counts", high-priority and linked-licence columns; per flag, its high-priority mark.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use sync_protocol::ids::EventId;
use sync_protocol::wire::FlagKind;

use crate::answers::Answers;
use crate::plan::{Plan, What};

const QUOTA: u32 = 2;

/// One flag kind's confusion counts.
#[derive(Debug, Clone, Default, Serialize)]
pub struct KindScore {
    pub kind: String,
    pub expected: usize,
    pub raised: usize,
    pub tp: usize,
    pub fp: usize,
    #[serde(rename = "fn")]
    pub fn_: usize,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
}

/// How many answers agree with the labels, and the ones that do not.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Agreement {
    pub agree: usize,
    pub total: usize,
    pub disagreements: Vec<String>,
}

impl Agreement {
    fn judge(&mut self, ok: bool, what: impl FnOnce() -> String) {
        self.total += 1;
        if ok {
            self.agree += 1;
        } else {
            self.disagreements.push(what());
        }
    }

    pub fn all(&self) -> bool {
        self.agree == self.total
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Score {
    pub kinds: Vec<KindScore>,
    /// Flags the labels did not expect or that were missing, with the case and the detail.
    pub misses: Vec<String>,
    pub quota: Agreement,
    /// Officer-weeks the labels say meet the quota.
    pub quota_met: usize,
    pub counting: Agreement,
    pub ledger_counts: Agreement,
    pub ledger_high_priority: Agreement,
    pub linked_licences: Agreement,
    pub flag_high_priority: Agreement,
    /// `GET /v1/flags?high_priority=true` lists exactly the flags marked high priority.
    pub high_priority_filter: Agreement,
}

/// Where a flag lands: a planted event, a phone's officer (a notice), or something unplanned.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Item(usize),
    Notice(String),
    Unplanned(String),
}

pub fn score(plan: &Plan, ids: &[EventId], answers: &Answers) -> Score {
    let index: HashMap<EventId, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut expected: BTreeMap<Key, BTreeSet<FlagKind>> = BTreeMap::new();
    for (i, x) in plan.items.iter().enumerate() {
        expected.insert(Key::Item(i), x.expect.clone());
    }
    for officer in &plan.notices {
        expected.insert(Key::Notice(officer.to_string()), [FlagKind::ClockOffset].into());
    }
    let mut raised: BTreeMap<Key, BTreeMap<FlagKind, String>> = BTreeMap::new();
    let mut s = Score::default();
    for f in &answers.flags {
        let key = match (f.event.and_then(|e| index.get(&e)), &f.officer) {
            (Some(i), _) => Key::Item(*i),
            (None, Some(o)) if f.event.is_none() && f.kind == FlagKind::ClockOffset => Key::Notice(o.to_string()),
            _ => Key::Unplanned(format!("flag {} on {:?}", f.id, f.event)),
        };
        if let Key::Item(i) = key {
            let x = &plan.items[i];
            let high = matches!(x.what, What::Finding { .. }) && x.high_priority;
            s.flag_high_priority
                .judge(f.high_priority == high, || format!("{} on {} ({}): high_priority {}", f.kind, ids[i], x.case, f.high_priority));
        }
        let listed = answers.high_priority.contains(&f.id);
        s.high_priority_filter
            .judge(listed == f.high_priority, || format!("flag {} ({}): high_priority {}, listed {listed}", f.id, f.kind, f.high_priority));
        raised.entry(key).or_default().insert(f.kind, f.detail.clone());
    }
    let keys: BTreeSet<&Key> = expected.keys().chain(raised.keys()).collect();
    let mut by_kind: BTreeMap<FlagKind, KindScore> = BTreeMap::new();
    let none = BTreeSet::new();
    for key in keys {
        let e = expected.get(key).unwrap_or(&none);
        let r = raised.get(key).cloned().unwrap_or_default();
        for kind in e.iter().chain(r.keys()).collect::<BTreeSet<_>>() {
            let k = by_kind.entry(*kind).or_insert_with(|| KindScore { kind: kind.as_str().into(), ..KindScore::default() });
            let (was, is) = (e.contains(kind), r.contains_key(kind));
            k.expected += usize::from(was);
            k.raised += usize::from(is);
            k.tp += usize::from(was && is);
            k.fp += usize::from(is && !was);
            k.fn_ += usize::from(was && !is);
            if was != is {
                let what = if is { "unexpected" } else { "missing" };
                s.misses.push(format!("{what} {kind} on {}: {}", describe(plan, ids, key), r.get(kind).map_or("", String::as_str)));
            }
        }
    }
    for k in by_kind.values_mut() {
        k.precision = (k.raised > 0).then(|| k.tp as f64 / k.raised as f64);
        k.recall = (k.expected > 0).then(|| k.tp as f64 / k.expected as f64);
    }
    s.kinds = by_kind.into_values().collect();
    quota(plan, answers, &mut s);
    ledger(plan, ids, answers, &mut s);
    s
}

fn describe(plan: &Plan, ids: &[EventId], key: &Key) -> String {
    match key {
        Key::Item(i) => format!("{} {} of {}", plan.items[*i].case, ids[*i], plan.items[*i].officer),
        Key::Notice(o) => format!("the phones of {o}"),
        Key::Unplanned(what) => what.clone(),
    }
}

fn quota(plan: &Plan, answers: &Answers, s: &mut Score) {
    for ((officer, week), (patrols, counting)) in plan.expected_weeks() {
        let got = answers.weeks.get(&(officer.clone(), week));
        let (met, got_patrols, got_counting) = got.map_or((false, 0, 0), |o| (o.quota_met, o.patrols, o.patrols_counting));
        s.quota_met += usize::from(counting >= QUOTA);
        s.quota.judge(met == (counting >= QUOTA), || format!("{officer} {week}: quota met {met}, expected {}", counting >= QUOTA));
        s.counting.judge((got_patrols, got_counting) == (patrols, counting), || {
            format!("{officer} {week}: {got_counting} of {got_patrols} patrols count, expected {counting} of {patrols}")
        });
    }
}

fn ledger(plan: &Plan, ids: &[EventId], answers: &Answers, s: &mut Score) {
    for (i, x) in plan.items.iter().enumerate() {
        let What::Patrol(_) = x.what else { continue };
        let row = answers.ledger.get(&ids[i].to_string());
        let name = || format!("{} {} of {}", x.case, ids[i], x.officer);
        s.ledger_counts.judge(row.and_then(|r| r.counts) == x.counts, || format!("{}: counts {:?}", name(), row.and_then(|r| r.counts)));
        s.ledger_high_priority.judge(row.is_some_and(|r| r.high_priority == x.high_priority), || format!("{}: high priority", name()));
        let mut want: Vec<String> = plan
            .items
            .iter()
            .filter(|f| matches!(f.what, What::Finding { patrol, .. } if patrol == i))
            .map(|f| f.linked.as_ref().map_or("none".into(), |l| l.to_string()))
            .collect();
        if want.is_empty() {
            continue;
        }
        want.sort();
        let mut got: Vec<String> = row
            .map(|r| r.licence_checks.split("; ").map(|c| c.split(':').next().unwrap_or_default().to_string()).collect())
            .unwrap_or_default();
        got.sort();
        s.linked_licences.judge(got == want, || format!("{}: findings lie in {got:?}, expected {want:?}", name()));
    }
}

impl Score {
    /// Every agreement, with what it compares.
    pub fn agreements(&self) -> [(&'static str, &Agreement); 7] {
        [
            ("quota decision per officer-week (met: 2 patrols that count)", &self.quota),
            ("patrols and patrols counting per officer-week (GET /v1/compliance)", &self.counting),
            ("patrols counting in the ledger", &self.ledger_counts),
            ("ledger high-priority column", &self.ledger_high_priority),
            ("licence each finding lies in (ledger)", &self.linked_licences),
            ("high-priority mark of each flag (GET /v1/flags)", &self.flag_high_priority),
            ("GET /v1/flags?high_priority=true lists exactly the flags so marked", &self.high_priority_filter),
        ]
    }

    /// Whether every kind reaches `threshold` in precision and recall (a kind with no expected
    /// flag must raise none) and every agreement is complete.
    pub fn passes(&self, threshold: f64) -> bool {
        let kinds = self
            .kinds
            .iter()
            .all(|k| k.precision.unwrap_or(1.0) >= threshold && k.recall.unwrap_or(1.0) >= threshold && (k.expected > 0 || k.raised == 0));
        let agreements =
            [&self.quota, &self.counting, &self.ledger_counts, &self.ledger_high_priority, &self.linked_licences, &self.flag_high_priority];
        kinds && agreements.iter().all(|a| a.all())
    }
}
