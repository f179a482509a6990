//! When the corpus happens: the two ISO weeks before the run's week (county time), each day's five
//! patrol slots 2 h 30 min apart, which slots each officer has used, and when phones sync (20:00
//! for the day's walks, 21:00 for copies made after them).

use std::collections::BTreeSet;
use sync_protocol::values::IsoWeek;

const MINUTE: i64 = 60_000;
pub const HOUR: i64 = 60 * MINUTE;
pub const DAY: i64 = 24 * HOUR;
/// Slot starts, minutes after midnight county time. A patrol starts up to 20 min into its slot
/// and lasts at most 2 h, so patrols in different slots never share a minute.
const SLOTS: [i64; 5] = [7 * 60 + 30, 10 * 60, 12 * 60 + 30, 15 * 60, 17 * 60 + 30];
pub const SLOT_COUNT: usize = SLOTS.len();
pub const DAYS: usize = 14;

/// The fortnight of the corpus.
#[derive(Debug, Clone, Copy)]
pub struct Fortnight {
    /// Monday 00:00 county time of the first week, Unix ms.
    pub monday: i64,
    /// The run's time, when the phones with clocks ahead record and sync.
    pub now: i64,
}

impl Fortnight {
    /// The two full weeks before the week of `now_ms`.
    pub fn before(now_ms: i64) -> Fortnight {
        let (this_monday, _) = IsoWeek::of_ms(now_ms).bounds_ms();
        Fortnight { monday: this_monday - 14 * DAY, now: now_ms }
    }

    pub fn weeks(&self) -> [IsoWeek; 2] {
        [IsoWeek::of_ms(self.monday), IsoWeek::of_ms(self.monday + 7 * DAY)]
    }

    pub fn midnight(&self, day: usize) -> i64 {
        self.monday + day as i64 * DAY
    }

    /// The start of a slot of a day.
    pub fn slot(&self, day: usize, slot: usize) -> i64 {
        self.midnight(day) + SLOTS[slot] * MINUTE
    }

    /// When a phone syncs the day's walks: 20:00.
    pub fn evening(&self, day: usize) -> i64 {
        self.midnight(day) + 20 * HOUR
    }
}

/// The slots each officer (by index) has taken.
#[derive(Debug, Default)]
pub struct Calendar {
    taken: BTreeSet<(usize, usize, usize)>,
}

impl Calendar {
    pub fn is_free(&self, officer: usize, day: usize, slot: usize) -> bool {
        !self.taken.contains(&(officer, day, slot))
    }

    pub fn take(&mut self, officer: usize, day: usize, slot: usize) {
        self.taken.insert((officer, day, slot));
    }

    /// The officer's latest taken slot of a day.
    pub fn last_slot(&self, officer: usize, day: usize) -> Option<usize> {
        (0..SLOT_COUNT).rev().find(|s| !self.is_free(officer, day, *s))
    }

    /// The officer's free slots of a day after every taken one (a walk recorded last that day).
    pub fn free_after_last(&self, officer: usize, day: usize) -> impl Iterator<Item = usize> {
        let from = self.last_slot(officer, day).map_or(0, |s| s + 1);
        from..SLOT_COUNT
    }

    /// The free slots of a day.
    pub fn free(&self, officer: usize, day: usize) -> impl Iterator<Item = usize> + '_ {
        (0..SLOT_COUNT).filter(move |s| self.is_free(officer, day, *s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fortnight_is_the_two_weeks_before_the_run() {
        // Sunday 2026-12-06 13:51 county time, in 2026-W49.
        let f = Fortnight::before(1_796_536_260_000);
        assert_eq!(f.weeks().map(|w| w.to_string()), ["2026-W47", "2026-W48"]);
        assert_eq!(sync_protocol::values::county_time(f.slot(13, 4)), "2026-11-29 17:30:00");
        let mut c = Calendar::default();
        c.take(0, 3, 1);
        assert_eq!(c.free_after_last(0, 3).collect::<Vec<_>>(), [2, 3, 4]);
        assert_eq!(c.free(0, 3).count(), 4);
    }
}
