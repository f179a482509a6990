//! Overdue cases as flags: a case past its order-to-rectify or supervision deadline carries a
//! `case_overdue` flag until it is closed. Deadlines pass with the clock, not with an event, so
//! the server settles these flags on a timer (`overdue_check_s`) rather than at ingest.

use sync_protocol::fold::{DeadlineKind, overdue};
use sync_protocol::values::{IsoWeek, county_date};
use sync_protocol::wire::FlagKind;

use super::flags::Place;
use crate::store::{StoreError, jobs::WriteCtx};

impl WriteCtx<'_> {
    /// Raises, rewrites or withdraws every case's `case_overdue` flag as of the batch's clock;
    /// returns how many cases are overdue. Running it twice at one time changes nothing.
    pub fn settle_overdue_cases(&mut self) -> Result<usize, StoreError> {
        let now = self.now_ms;
        let settled: Vec<_> = self
            .reference
            .offices
            .cases()
            .map(|c| {
                let detail = overdue(c, now).map(|o| {
                    let missed: Vec<String> = o
                        .missed
                        .iter()
                        .map(|m| {
                            let what = match m.kind {
                                DeadlineKind::Rectification => "order to rectify",
                                DeadlineKind::Supervision => "supervision",
                            };
                            // The day, not how late: the flag stays one row while the case stays overdue.
                            format!("{what} deadline {} missed", county_date(m.deadline))
                        })
                        .collect();
                    missed.join("; ")
                });
                let place = Place { township: Some(c.township.clone()), week: Some(IsoWeek::of_ms(now)), ..Place::default() };
                (c.id, detail, place)
            })
            .collect();
        let mut count = 0;
        for (case, detail, place) in settled {
            count += usize::from(detail.is_some());
            self.settle_flag(case, None, FlagKind::CaseOverdue, detail.as_deref(), &place)?;
        }
        Ok(count)
    }
}
