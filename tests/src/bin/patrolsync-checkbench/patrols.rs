//! Where and when each planted patrol is walked: the cases that stand alone in free slots of
//! random officers' days; then those that need other walks: neighbours' border walks, copies of a
//! walk already sent (recorded last on their day, or backdated), a walk dated before ones the
//! phone has sent, a second phone's overlapping walk.

use anyhow::{Context, Result, bail};
use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::cases::PatrolCase::{self, *};
use crate::copies::{CopyStyle, copy};
use crate::frame::Xy;
use crate::officers::Officer;
use crate::schedule::{Calendar, DAYS, Fortnight, HOUR, SLOT_COUNT};
use crate::shapes::{Walked, walk_case};

const MINUTE: i64 = 60_000;

/// A walk placed in the fortnight.
#[derive(Debug, Clone)]
pub struct Placed {
    pub officer: usize,
    pub phone: &'static str,
    pub case: PatrolCase,
    pub walked: Walked,
    pub push_at: i64,
    /// Recorded after the phone's other walks of its sync (a backdated walk).
    pub late: bool,
    pub day: usize,
    /// The placed walk it copies (or follows back to back).
    pub source: Option<usize>,
    /// The placed walks it overlaps.
    pub overlaps: Vec<usize>,
    /// How far the phone's clock runs ahead of the real one.
    pub clock_offset_ms: i64,
}

impl Placed {
    /// A walk of the officer's own phone, whose clock is right, sent at `push_at`.
    fn new(officer: usize, case: PatrolCase, walked: Walked, day: usize, push_at: i64) -> Placed {
        Placed { officer, phone: "phone", case, walked, push_at, late: false, day, source: None, overlaps: Vec::new(), clock_offset_ms: 0 }
    }
}

pub struct Placer<'a> {
    pub officers: &'a [Officer],
    pub fortnight: Fortnight,
    pub calendar: Calendar,
    pub placed: Vec<Placed>,
}

impl<'a> Placer<'a> {
    pub fn new(officers: &'a [Officer], fortnight: Fortnight) -> Self {
        Placer { officers, fortnight, calendar: Calendar::default(), placed: Vec::new() }
    }

    fn push(&mut self, p: Placed) -> usize {
        self.placed.push(p);
        self.placed.len() - 1
    }

    /// A walk of `case` in a free slot of a random day of `officer`, or of a random officer.
    pub fn alone(&mut self, case: PatrolCase, officer: Option<usize>, rng: &mut ChaCha8Rng) -> Result<usize> {
        for _ in 0..1_000 {
            let o = officer.unwrap_or_else(|| rng.gen_range(0..self.officers.len()));
            let (day, slot) = (rng.gen_range(0..DAYS), rng.gen_range(0..SLOT_COUNT));
            if self.calendar.is_free(o, day, slot) {
                return self.in_slot(case, o, day, slot, None, rng);
            }
        }
        bail!("no free slot for a {case:?}")
    }

    fn in_slot(
        &mut self,
        case: PatrolCase,
        o: usize,
        day: usize,
        slot: usize,
        border: Option<[Xy; 2]>,
        rng: &mut ChaCha8Rng,
    ) -> Result<usize> {
        let start = self.fortnight.slot(day, slot) + rng.gen_range(0..20 * MINUTE);
        let walked = walk_case(case, &self.officers[o], start, border, rng)?;
        self.calendar.take(o, day, slot);
        let push_at = self.fortnight.evening(day);
        Ok(self.push(Placed::new(o, case, walked, day, push_at)))
    }

    /// Two neighbouring officers each walking their shared boundary, on different days.
    pub fn border_pair(&mut self, rng: &mut ChaCha8Rng) -> Result<()> {
        let n = self.officers.len();
        let mut pairs: Vec<(usize, usize)> = (0..n).flat_map(|a| (a + 1..n).map(move |b| (a, b))).collect();
        pairs.retain(|&(a, b)| self.officers[a].shared_edge(&self.officers[b]).is_some());
        let &(a, b) = pairs.choose(rng).context("no two officers of the corpus are neighbours")?;
        let (da, db) = (rng.gen_range(0..DAYS), rng.gen_range(0..DAYS));
        let db = if da == db { (db + 1) % DAYS } else { db };
        for (o, other, day) in [(a, b, da), (b, a, db)] {
            let edge = self.officers[o].shared_edge(&self.officers[other]);
            let slot = self.calendar.free(o, day).next().context("a free slot for a border walk")?;
            self.in_slot(BorderWalk, o, day, slot, edge, rng)?;
        }
        Ok(())
    }

    /// Plain walks not yet copied or overlapped, of `officer` if given.
    fn sources(&self, officer: Option<usize>, deep_only: bool) -> Vec<usize> {
        let used: Vec<usize> =
            self.placed.iter().filter_map(|p| p.source).chain(self.placed.iter().flat_map(|p| p.overlaps.clone())).collect();
        (0..self.placed.len())
            .filter(|&i| {
                let p = &self.placed[i];
                p.phone == "phone" && p.case.is_plain_walk() && (!deep_only || matches!(p.case, Loop | Road)) && !used.contains(&i)
            })
            .filter(|&i| officer.is_none_or(|o| self.placed[i].officer == o))
            .collect()
    }

    /// A copy of a walk already sent. Own copies and copies of another officer's walk are recorded
    /// last on their day (hours or days after the source) and sent an hour after the day's sync;
    /// a backdated copy is dated one or two days before its source and sent after it.
    pub fn copy(&mut self, case: PatrolCase, rng: &mut ChaCha8Rng) -> Result<()> {
        for _ in 0..1_000 {
            let sources = self.sources(None, case == CopyOther);
            let &s = sources.choose(rng).context("no walk to copy")?;
            let source = self.placed[s].clone();
            let o = if case == CopyOther { rng.gen_range(0..self.officers.len()) } else { source.officer };
            if case == CopyOther && o == source.officer {
                continue;
            }
            let Some((day, slot)) = self.copy_slot(case, o, &source, rng) else { continue };
            let start = self.fortnight.slot(day, slot) + rng.gen_range(0..20 * MINUTE);
            let shift = start - source.walked.started_at;
            if shift.abs() < HOUR {
                continue;
            }
            let style = match case {
                CopyThinned => CopyStyle::draw(shift, 2, rng),
                Replay => CopyStyle { shift_ms: shift, move_m: 0.0, jitter_ms: 0, every: 1 },
                _ => CopyStyle::draw(shift, 1, rng),
            };
            let walked = copy(&source.walked, &self.officers[source.officer].frame, style, rng);
            self.calendar.take(o, day, slot);
            let push_at = self.fortnight.evening(source.day.max(day)) + HOUR;
            let p = Placed { source: Some(s), ..Placed::new(o, case, walked, day, push_at) };
            self.push(p);
            return Ok(());
        }
        bail!("no place for a {case:?}")
    }

    fn copy_slot(&self, case: PatrolCase, o: usize, source: &Placed, rng: &mut ChaCha8Rng) -> Option<(usize, usize)> {
        if case == CopyBackdated {
            let day = source.day.checked_sub(rng.gen_range(1..=2))?;
            let free: Vec<usize> = self.calendar.free(o, day).collect();
            return free.choose(rng).map(|s| (day, *s));
        }
        let day = if case == Replay { source.day + rng.gen_range(7..=9) } else { rng.gen_range(source.day..DAYS) };
        if day >= DAYS {
            return None;
        }
        let free: Vec<usize> = self.calendar.free_after_last(o, day).collect();
        free.choose(rng).map(|s| (day, *s))
    }

    /// A walk dated one or two days before a day on which the phone has sent walks, in a free
    /// slot, sent late in that day's sync.
    pub fn backdated(&mut self, rng: &mut ChaCha8Rng) -> Result<()> {
        for _ in 0..1_000 {
            let p = &self.placed[rng.gen_range(0..self.placed.len())];
            if p.phone != "phone" || p.day == 0 || p.late || p.case.is_copy() {
                continue;
            }
            let (o, sent_on) = (p.officer, p.day);
            let day = sent_on.saturating_sub(rng.gen_range(1..=2));
            let Some(slot) = self.calendar.free(o, day).next() else { continue };
            let i = self.in_slot(Backdated, o, day, slot, None, rng)?;
            self.placed[i].push_at = self.fortnight.evening(sent_on);
            self.placed[i].late = true;
            return Ok(());
        }
        bail!("no place for a backdated walk")
    }

    /// A loop started up to 50 s before the end of a plain walk of the same phone (a clock
    /// corrected between the two), in the next slot of that day.
    pub fn back_to_back(&mut self, rng: &mut ChaCha8Rng) -> Result<()> {
        for _ in 0..1_000 {
            let sources = self.sources(None, false);
            let &m = sources.choose(rng).context("no walk to follow")?;
            let p = self.placed[m].clone();
            let Some(slot) = (0..SLOT_COUNT - 1).find(|s| self.fortnight.slot(p.day, *s) + 20 * MINUTE >= p.walked.started_at) else {
                continue;
            };
            if !self.calendar.is_free(p.officer, p.day, slot + 1) {
                continue;
            }
            let start = p.walked.ended_at - rng.gen_range(0..50_000);
            let walked = walk_case(BackToBack, &self.officers[p.officer], start, None, rng)?;
            self.calendar.take(p.officer, p.day, slot + 1);
            let placed = Placed { case: BackToBack, walked, source: Some(m), overlaps: Vec::new(), ..p };
            self.push(placed);
            return Ok(());
        }
        bail!("no place for a walk back to back")
    }

    /// A loop walked in another officer's zone, sent as a patrol of the officer's own.
    pub fn elsewhere(&mut self, rng: &mut ChaCha8Rng) -> Result<()> {
        let (o, other) = (rng.gen_range(0..self.officers.len()), rng.gen_range(0..self.officers.len()));
        let other = if other == o { (other + 1) % self.officers.len() } else { other };
        let (day, slot) = (0..1_000)
            .map(|_| (rng.gen_range(0..DAYS), rng.gen_range(0..SLOT_COUNT)))
            .find(|(d, s)| self.calendar.is_free(o, *d, *s))
            .context("a free slot")?;
        let start = self.fortnight.slot(day, slot) + rng.gen_range(0..20 * MINUTE);
        let walked = walk_case(Loop, &self.officers[other], start, None, rng)?;
        self.calendar.take(o, day, slot);
        let push_at = self.fortnight.evening(day);
        self.push(Placed::new(o, Elsewhere, walked, day, push_at));
        Ok(())
    }

    /// A second phone's walk starting 10 to 40 minutes into a plain walk of the same officer.
    pub fn overlap(&mut self, rng: &mut ChaCha8Rng) -> Result<()> {
        let sources = self.sources(None, false);
        let &m = sources.choose(rng).context("no walk to overlap")?;
        let main = self.placed[m].clone();
        let start = main.walked.started_at + rng.gen_range(10 * MINUTE..40 * MINUTE);
        let walked = walk_case(Overlap, &self.officers[main.officer], start, None, rng)?;
        let p = Placed { phone: "second phone", overlaps: vec![m], ..Placed::new(main.officer, Overlap, walked, main.day, main.push_at) };
        let i = self.push(p);
        self.placed[m].overlaps.push(i);
        Ok(())
    }
}

/// Walks dated at the time of the run and sent after the fortnight's syncs, each case by phones of
/// officers of their own: for [`ClockHours`] a phone whose clock runs 1 to 23 hours ahead, one or
/// two walks ending 5 to 20 minutes before its own clock; for [`ClockDays`] 2 to 5 days ahead, one
/// walk; for [`Future`] one walk dated 1 to 3 days ahead by an officer's own phone whose clock is
/// right (a forged time).
pub fn clock_walks(placer: &mut Placer<'_>, case: PatrolCase, walks: usize, rng: &mut ChaCha8Rng) -> Result<()> {
    let mut left = walks;
    let mut taken: Vec<usize> = placer.placed.iter().filter(|p| p.case.is_clock()).map(|p| p.officer).collect();
    while left > 0 {
        let o = (0..placer.officers.len())
            .filter(|o| !taken.contains(o))
            .collect::<Vec<_>>()
            .choose(rng)
            .copied()
            .context("an officer for a clock phone")?;
        taken.push(o);
        let (offset, n) = match case {
            ClockDays => (rng.gen_range(2 * 24 * HOUR..5 * 24 * HOUR), 1),
            Future => (0, 1),
            _ => (rng.gen_range(HOUR..23 * HOUR), rng.gen_range(1..=2).min(left)),
        };
        // A forged future walk is dated days ahead of a phone whose clock is right.
        let dated = if case == Future { rng.gen_range(24 * HOUR..3 * 24 * HOUR) } else { offset };
        let phone_now = placer.fortnight.now + dated;
        for k in 0..n {
            let start = phone_now - rng.gen_range(5 * MINUTE..20 * MINUTE) - (n - k) as i64 * 130 * MINUTE;
            let walked = walk_case(case, &placer.officers[o], start, None, rng)?;
            let push_at = placer.fortnight.evening(DAYS + 3);
            let phone = if case == Future { "phone" } else { "clock phone" };
            let p = Placed { phone, clock_offset_ms: offset, ..Placed::new(o, case, walked, DAYS, push_at) };
            placer.push(p);
        }
        left -= n;
    }
    Ok(())
}
