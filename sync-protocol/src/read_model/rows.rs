//! The read model's rows, and the pure functions that fold one group's events into them (the
//! groups are described in [`super`]).

use serde::{Deserialize, Serialize};

use crate::event::Event;
use crate::fold::{Case, Finding, Projection, Tip};
use crate::ids::{EventId, UserId, ZoneId};
use crate::ledger::PatrolEntry;

/// A finding as the reports read it (where it lies is kept beside it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingRow {
    pub id: EventId,
    pub patrol: EventId,
    pub officer: UserId,
    pub zone: ZoneId,
    pub observed_at: i64,
    pub stopped_on_spot: bool,
}

impl FindingRow {
    pub fn of(f: &Finding) -> FindingRow {
        FindingRow {
            id: f.id,
            patrol: f.patrol,
            officer: f.officer.clone(),
            zone: f.zone.clone(),
            observed_at: f.observed_at,
            stopped_on_spot: f.stopped_on_spot,
        }
    }
}

/// The rows of a patrol's group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatrolGroup {
    /// `None` while the group holds no `patrol.recorded`.
    pub patrol: Option<PatrolEntry>,
    pub findings: Vec<FindingRow>,
}

/// The hash (hex) of the event `id` among `events`.
fn hash_in(events: &[Event], id: &EventId) -> Option<String> {
    events.iter().find(|e| e.id == *id).map(|e| e.hash.to_hex())
}

/// Folds the events of the patrol `patrol`'s group into its rows.
pub fn patrol_group(patrol: &EventId, events: &[Event]) -> PatrolGroup {
    let p = Projection::fold(events);
    PatrolGroup {
        patrol: PatrolEntry::of(&p, patrol, |id| hash_in(events, id)),
        findings: p.findings.values().filter(|f| &f.patrol == patrol).map(FindingRow::of).collect(),
    }
}

/// Folds the events of case `case`'s group; `None` while its `case.opened` is missing.
pub fn case_group(case: &EventId, events: &[Event]) -> Option<Case> {
    Projection::fold(events).cases.remove(case)
}

/// Folds the events of tip `tip`'s group. Its `cases` stay empty: they are the cases' rows whose
/// source is the tip.
pub fn tip_group(tip: &EventId, events: &[Event]) -> Option<Tip> {
    let mut t = Projection::fold(events).tips.remove(tip)?;
    t.cases.clear();
    Some(t)
}
