//! The reports (`Reports`) written once over [`Backend`]: each one read on a reader, over the SQL
//! layer, from the read model both engines' writers keep (`store::read_model`).

use std::collections::{BTreeMap, BTreeSet};
use sync_protocol::compliance::WeekFacts;
use sync_protocol::fold::Case;
use sync_protocol::ids::{EventId, UnitId};
use sync_protocol::scope::Bucket;
use sync_protocol::values::IsoWeek;
use sync_protocol::wire::audit::ReadModelCheck;
use sync_protocol::wire::cases::CaseQuery;
use sync_protocol::wire::flags::{FlagList, FlagQuery};
use sync_protocol::wire::map::MapFeatures;

use super::Backend;
use crate::store::StoreFuture;
use crate::store::read_model;
use crate::store::reads::{devices, flag_list};
use crate::store::reports::{Backlog, DeviceSync, Directory, LedgerPage, LedgerSelection, Reports};

impl<E: Backend> Reports for E {
    fn week_facts(&self, week: IsoWeek) -> StoreFuture<'_, WeekFacts> {
        self.read_sql(move |conn| read_model::week_facts(conn, week))
    }

    fn directory(&self) -> StoreFuture<'_, Directory> {
        self.read_sql(read_model::directory)
    }

    fn ledger(&self, selection: LedgerSelection) -> StoreFuture<'_, LedgerPage> {
        self.read_sql(move |conn| read_model::ledger(conn, &selection))
    }

    fn map(&self, selection: LedgerSelection) -> StoreFuture<'_, MapFeatures> {
        let reference = Backend::check_snapshot(self);
        self.read_sql(move |conn| read_model::map(conn, &selection, &reference))
    }

    fn cases(&self, townships: Option<BTreeSet<UnitId>>, query: CaseQuery, now_ms: i64) -> StoreFuture<'_, Vec<Case>> {
        self.read_sql(move |conn| read_model::cases(conn, townships.as_ref(), &query, now_ms))
    }

    fn case(&self, townships: Option<BTreeSet<UnitId>>, id: EventId) -> StoreFuture<'_, Option<Case>> {
        self.read_sql(move |conn| read_model::case(conn, townships.as_ref(), id))
    }

    fn tip_cases(&self, townships: Option<BTreeSet<UnitId>>, tips: Vec<EventId>) -> StoreFuture<'_, BTreeMap<EventId, Vec<EventId>>> {
        self.read_sql(move |conn| read_model::tip_cases(conn, townships.as_ref(), &tips))
    }

    fn backlog(&self, township: UnitId) -> StoreFuture<'_, Backlog> {
        self.read_sql(move |conn| read_model::backlog(conn, &township))
    }

    fn device_syncs(&self) -> StoreFuture<'_, Vec<DeviceSync>> {
        self.read_sql(devices::list)
    }

    fn flags(&self, scope: BTreeSet<Bucket>, query: FlagQuery) -> StoreFuture<'_, FlagList> {
        self.read_sql(move |conn| flag_list::list(conn, &scope, &query))
    }

    fn check_read_model(&self) -> StoreFuture<'_, ReadModelCheck> {
        self.read_sql(read_model::verify)
    }
}
