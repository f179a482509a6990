//! The corpus as planned: the phones, every event they send with when and in what order, and each
//! event's label (the flags it must carry, whether a patrol counts, whether a finding is high
//! priority and which licence it lies in). Deterministic for a seed and a run's week.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sync_protocol::body::{FindingReported, FlagVerdict, LicenceGranted, PatrolRecorded, ZeroReportFiled};
use sync_protocol::ids::{LicenceId, UnitId, UserId};
use sync_protocol::values::IsoWeek;
use sync_protocol::wire::FlagKind;

use crate::schedule::Fortnight;

/// One phone: its user and how far its clock runs ahead of the real one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    pub user: UserId,
    pub role: &'static str,
    pub clock_offset_ms: i64,
}

/// What an event says; findings and reviews name their subject by its index in the plan.
#[derive(Debug, Clone)]
pub enum What {
    Patrol(PatrolRecorded),
    Finding { patrol: usize, finding: FindingReported },
    ZeroReport(ZeroReportFiled),
    Review { subject: usize, flag: FlagKind, verdict: FlagVerdict, township: UnitId },
}

/// One planned event and its label.
#[derive(Debug, Clone)]
pub struct Item {
    pub phone: usize,
    /// When the phone syncs it (story time: it orders the pushes).
    pub push_at: i64,
    /// Its place among the same phone's events of that sync: walks in time order, then what the
    /// phone recorded late (a backdated walk, a zero report).
    pub order: (u8, i64),
    pub what: What,
    /// The planted case, e.g. `copy_own` or `finding:in_expired`.
    pub case: String,
    pub officer: UserId,
    pub expect: BTreeSet<FlagKind>,
    /// For a patrol: whether it counts toward the quota.
    pub counts: Option<bool>,
    /// For a finding: high priority (a protected mineral); for a patrol: one of its findings is.
    pub high_priority: bool,
    /// For a finding: the licence in force it lies in.
    pub linked: Option<LicenceId>,
}

impl Item {
    pub fn patrol(&self) -> Option<&PatrolRecorded> {
        match &self.what {
            What::Patrol(p) => Some(p),
            _ => None,
        }
    }
}

/// The whole corpus.
#[derive(Debug, Default)]
pub struct Plan {
    pub phones: Vec<Phone>,
    phone_index: HashMap<(UserId, &'static str), usize>,
    pub items: Vec<Item>,
    /// Licences the county imports before the fortnight.
    pub imported: Vec<LicenceGranted>,
    /// The officers of the corpus.
    pub officers: Vec<UserId>,
    /// Officers one of whose phones must get a `clock_offset` notice.
    pub notices: BTreeSet<UserId>,
}

impl Plan {
    pub fn new(imported: Vec<LicenceGranted>, officers: Vec<UserId>) -> Plan {
        Plan { imported, officers, ..Plan::default() }
    }

    /// The phone of `user` in `role` ("phone", "second phone", "clock phone", "inspector"), added
    /// on first use.
    pub fn phone(&mut self, user: &UserId, role: &'static str, clock_offset_ms: i64) -> usize {
        *self.phone_index.entry((user.clone(), role)).or_insert_with(|| {
            self.phones.push(Phone { user: user.clone(), role, clock_offset_ms });
            self.phones.len() - 1
        })
    }

    /// The indices of the items in the order they are pushed: by sync time, phone, then order.
    pub fn push_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.items.len()).collect();
        order.sort_by_key(|&i| {
            let x = &self.items[i];
            (x.push_at, x.phone, x.order, i)
        });
        order
    }

    /// Each officer's expected week: patrols started in it and patrols that count, for every
    /// officer of the corpus in every week any patrol of the corpus falls in.
    pub fn expected_weeks(&self) -> BTreeMap<(UserId, IsoWeek), (u32, u32)> {
        let weeks: BTreeSet<IsoWeek> = self.items.iter().filter_map(|x| x.patrol()).map(|p| IsoWeek::of_ms(p.started_at)).collect();
        let mut out: BTreeMap<(UserId, IsoWeek), (u32, u32)> =
            self.officers.iter().flat_map(|o| weeks.iter().map(move |w| ((o.clone(), *w), (0, 0)))).collect();
        for x in &self.items {
            if let (Some(p), Some(counts)) = (x.patrol(), x.counts) {
                let e = out.entry((x.officer.clone(), IsoWeek::of_ms(p.started_at))).or_default();
                e.0 += 1;
                e.1 += u32::from(counts);
            }
        }
        out
    }

    /// How many events of each planted case there are.
    pub fn case_counts(&self) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for x in &self.items {
            *out.entry(x.case.clone()).or_default() += 1;
        }
        out
    }

    pub fn count(&self, f: impl Fn(&What) -> bool) -> usize {
        self.items.iter().filter(|x| f(&x.what)).count()
    }

    /// The week of a fortnight day's patrols: used to find the weeks the corpus spans.
    pub fn weeks(&self, fortnight: &Fortnight) -> Vec<IsoWeek> {
        let mut weeks: BTreeSet<IsoWeek> = fortnight.weeks().into_iter().collect();
        weeks.extend(self.items.iter().filter_map(|x| x.patrol()).map(|p| IsoWeek::of_ms(p.started_at)));
        weeks.into_iter().collect()
    }
}
