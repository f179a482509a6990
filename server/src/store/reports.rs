//! What the reports read ([`Reports`]): the read model the writer keeps current in the transaction
//! that accepts each event (`sync_protocol::read_model`), read in proportion to each answer; the
//! reference they resolve names with; when devices last synced; the flags of a scope.

use std::collections::{BTreeMap, BTreeSet};
use sync_protocol::body::Role;
use sync_protocol::compliance::WeekFacts;
use sync_protocol::fold::{Case, Tip};
use sync_protocol::ids::{EventId, UnitId, UserId};
use sync_protocol::read_model::FindingRow;
use sync_protocol::scope::Bucket;
use sync_protocol::values::IsoWeek;
use sync_protocol::wire::audit::ReadModelCheck;
use sync_protocol::wire::flags::{FlagList, FlagQuery};
pub use sync_protocol::wire::reports::{DeviceSync, LedgerCursor, LedgerRow};
use sync_protocol::zones::{Assignments, ZoneVersions};

use super::StoreFuture;

/// The reference the reports resolve their filters with: small, the size of the county's units,
/// users and zones, not of its history.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    /// Every unit and its parent.
    pub parents: BTreeMap<UnitId, Option<UnitId>>,
    pub roles: BTreeMap<UserId, Role>,
    pub assignments: Assignments,
    pub zones: ZoneVersions,
}

impl Directory {
    /// The township `officer` answers to at `at_ms`: of the zone assigned then, placed then.
    pub fn township_of(&self, officer: &UserId, at_ms: i64) -> Option<&UnitId> {
        let zone = self.assignments.zone_at(officer, at_ms)?;
        Some(&self.zones.place_at(zone, at_ms)?.township)
    }
}

/// Whose patrols a ledger lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LedgerBy {
    /// One officer's, in the townships `within` (`None`: wherever they lie).
    Officer { officer: UserId, within: Option<BTreeSet<UnitId>> },
    /// Those lying in these townships, or in one village of them.
    Townships { townships: BTreeSet<UnitId>, village: Option<UnitId> },
    /// Everything.
    County,
}

/// A ledger's rows: the patrols started in `[from_ms, to_ms)` that `by` selects, in the ledger's
/// order (start, then patrol id); only those after `after`, and at most `limit` of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerSelection {
    pub from_ms: i64,
    pub to_ms: i64,
    pub by: LedgerBy,
    pub after: Option<LedgerCursor>,
    pub limit: Option<u32>,
}

/// The rows a [`LedgerSelection`] selects, and the cursor after the last of them when its limit
/// left rows out (`None`: none follow).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerPage {
    pub rows: Vec<KeptRow>,
    pub next: Option<LedgerCursor>,
}

/// A ledger row as kept in the read model: the JSON of a [`LedgerRow`], written by serde, so that
/// a reply writes it as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptRow(pub String);

impl KeptRow {
    /// The row it holds.
    pub fn row(&self) -> Result<LedgerRow, serde_json::Error> {
        serde_json::from_str(&self.0)
    }
}

/// What is outstanding in one township as it stands now, whatever week it began in.
#[derive(Debug, Clone, Default)]
pub struct Backlog {
    /// Findings lying in the township that no case names, oldest first.
    pub findings_not_received: Vec<FindingRow>,
    /// Tips assigned to it and not answered, with the cases opened on each (by id).
    pub open_tips: Vec<(Tip, Vec<EventId>)>,
    /// Its cases not closed.
    pub open_cases: Vec<Case>,
}

pub trait Reports: Send + Sync {
    /// What compliance reads for `week`: the week's patrols with their quota decisions, findings
    /// with their cases' times, zero reports and open flags, the reference, the open cases and tips.
    fn week_facts(&self, week: IsoWeek) -> StoreFuture<'_, WeekFacts>;

    fn directory(&self) -> StoreFuture<'_, Directory>;

    /// The ledger rows `selection` selects, by start time then patrol id, a page at most.
    fn ledger(&self, selection: LedgerSelection) -> StoreFuture<'_, LedgerPage>;

    /// The map's features (tracks, findings) of the patrols `selection` selects.
    fn map(&self, selection: LedgerSelection) -> StoreFuture<'_, sync_protocol::wire::map::MapFeatures>;

    /// The cases of `townships` (of the county when `None`), open or closed, as the read model
    /// folds it, that `query` selects at `now_ms`: newest first, a page and one more at most.
    fn cases(
        &self,
        townships: Option<BTreeSet<UnitId>>,
        query: sync_protocol::wire::cases::CaseQuery,
        now_ms: i64,
    ) -> StoreFuture<'_, Vec<sync_protocol::fold::Case>>;

    /// The case `id` if it is one of `townships`' (of the county when `None`).
    fn case(
        &self,
        townships: Option<BTreeSet<UnitId>>,
        id: sync_protocol::ids::EventId,
    ) -> StoreFuture<'_, Option<sync_protocol::fold::Case>>;

    /// The cases opened on each of `tips` that are `townships`' (of the county when `None`), by
    /// tip, in id order; a tip with none is left out.
    fn tip_cases(&self, townships: Option<BTreeSet<UnitId>>, tips: Vec<EventId>) -> StoreFuture<'_, BTreeMap<EventId, Vec<EventId>>>;

    /// What is outstanding in `township`.
    fn backlog(&self, township: UnitId) -> StoreFuture<'_, Backlog>;

    /// Every device not revoked of an enabled village officer or township inspector, by device id.
    fn device_syncs(&self) -> StoreFuture<'_, Vec<DeviceSync>>;

    /// The newest flags in `scope` matching `query`, newest first.
    fn flags(&self, scope: BTreeSet<Bucket>, query: FlagQuery) -> StoreFuture<'_, FlagList>;

    /// The read model recomputed from the log and compared with the stored rows.
    fn check_read_model(&self) -> StoreFuture<'_, ReadModelCheck>;
}
