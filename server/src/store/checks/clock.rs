//! Device clocks at ingest (`sync_protocol::checks::clock` decides): each accepted event's clock is
//! merged into the server's (bounded) and flagged when it is beyond the tolerance or runs back; each
//! push settles the device's one `clock_offset` notice, whose offset `device_clock_notices` keeps.

use sync_protocol::admit::Caller;
use sync_protocol::checks::clock::{NoticeChange, event_clock, settle_notice};
use sync_protocol::event::Event;
use sync_protocol::hlc::Hlc;
use sync_protocol::ids::UserId;
use sync_protocol::wire::FlagKind;

use super::flags::{Place, stored_patrol_place};
use crate::args;
use crate::store::ingest::MAX_CLOCK_AHEAD_MS;
use crate::store::{StoreError, jobs::WriteCtx};

impl WriteCtx<'_> {
    /// Merges an accepted event's clock into the server's, unless it is more than
    /// [`MAX_CLOCK_AHEAD_MS`] ahead (so one device cannot drag the server's clock into the future),
    /// and flags it by the clock rules. `previous` holds the clock of the event before it in the
    /// chain, when this push accepted that one; it is read from the store otherwise.
    pub fn check_event_clock(&mut self, event: &Event, previous: &mut Option<i64>) -> Result<(), StoreError> {
        let now = u64::try_from(self.now_ms).unwrap_or(0);
        {
            let mut clock = self.clock.lock().map_err(|_| StoreError::Poisoned("clock"))?;
            if let Ok(merged) = clock.merge_bounded(event.hlc, now, MAX_CLOCK_AHEAD_MS) {
                *clock = merged;
            }
        }
        let hlc_ms = i64::try_from(event.hlc.ms).unwrap_or(i64::MAX);
        let before = match previous.take() {
            Some(p) => Some(p),
            None => self.previous_clock(event)?,
        };
        *previous = Some(hlc_ms);
        if let Some(flag) = event_clock(hlc_ms, before, self.now_ms, &self.checks.plausibility) {
            self.raise_once(event, flag.kind(), &flag.detail())?;
        }
        Ok(())
    }

    /// The clock of the event before `event` in its device's chain, if stored.
    fn previous_clock(&self, event: &Event) -> Result<Option<i64>, StoreError> {
        if event.seq <= 1 {
            return Ok(None);
        }
        let hlc: Option<String> = self
            .conn
            .optional("SELECT hlc FROM events WHERE device_id = ?1 AND seq = ?2", args![event.device_id.0.as_bytes(), event.seq - 1])?
            .map(|r| r.get(0))
            .transpose()?;
        let hlc = hlc.map(|h| h.parse::<Hlc>().map_err(|_| StoreError::corrupt("events", format!("hlc {h}")))).transpose()?;
        Ok(hlc.map(|h| i64::try_from(h.ms).unwrap_or(i64::MAX)))
    }

    /// Raises a flag on an event unless one of its kind is open on it already (a patrol's own
    /// rules may have raised `behind_device_clock`).
    fn raise_once(&self, event: &Event, kind: FlagKind, detail: &str) -> Result<(), StoreError> {
        let open: bool = self
            .conn
            .one(
                "SELECT EXISTS (SELECT 1 FROM flags WHERE event_id = ?1 AND kind = ?2 AND cleared_at IS NULL)",
                args![event.id.0.as_bytes(), kind.as_str()],
            )?
            .get(0)?;
        if open {
            return Ok(());
        }
        let place = self.event_place(event)?;
        self.raise(Some(event.id), Some(event.device_id), kind, detail, &place)
    }

    /// The place of a flagged event: its patrol's, for a patrol; else its author's zone now.
    fn event_place(&self, event: &Event) -> Result<Place, StoreError> {
        Ok(match stored_patrol_place(self.conn, event.id)? {
            Some((_, place)) => place,
            None => self.officer_place(&event.author),
        })
    }

    /// An officer's place now: the village and township of their zone, and no week.
    fn officer_place(&self, officer: &UserId) -> Place {
        match self.reference.zone_at(officer, self.now_ms).cloned() {
            Some(zone) => Place { week: None, ..Place::of_zone(self.reference, officer, &zone, self.now_ms) },
            None => Place { officer: Some(officer.clone()), ..Place::default() },
        }
    }

    /// Settles the pushing device's `clock_offset` notice by the clock it states at this push.
    pub fn settle_clock_notice(&mut self, caller: &Caller) -> Result<(), StoreError> {
        let Some(clock) = self.device_clock else { return Ok(()) };
        let device = caller.device.0.as_bytes();
        let noted: Option<i64> = self
            .conn
            .optional("SELECT offset_ms FROM device_clock_notices WHERE device_id = ?1", args![device])?
            .map(|r| r.get(0))
            .transpose()?;
        let change = settle_notice(noted, &clock, &self.checks.plausibility);
        if change == NoticeChange::Keep {
            return Ok(());
        }
        self.conn.write(
            "UPDATE flags SET cleared_at = ?3 WHERE device_id = ?1 AND kind = ?2 AND event_id IS NULL AND cleared_at IS NULL",
            args![device, FlagKind::ClockOffset.as_str(), self.now_ms],
        )?;
        self.conn.write("DELETE FROM device_clock_notices WHERE device_id = ?1", args![device])?;
        if let NoticeChange::Raise(notice) = change {
            let place = self.officer_place(&caller.user);
            self.raise(None, Some(caller.device), notice.kind(), &notice.detail(), &place)?;
            self.conn.write("INSERT INTO device_clock_notices (device_id, offset_ms) VALUES (?1, ?2)", args![device, notice.offset_ms])?;
        }
        Ok(())
    }
}
