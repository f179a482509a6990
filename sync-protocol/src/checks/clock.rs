//! Device clocks, judged at sync: what time a push may state, when a device's clock earns a
//! notice, and when an event's clock is a flag.
//!
//! # Why
//! Phones keep bad time: a wrong time zone or a battery-reset clock puts one hours or days off, and
//! its fixes and events carry that time. Such a phone is not forging anything; it needs its clock
//! set, once. A forged time, on the other hand, is later than the phone's own clock, or runs back
//! along its chain. So times are judged against the time the device says it synced (the sync
//! request's `hlc`), bounded by the server's clock so that a device cannot declare any time it
//! likes; and a device clock that is merely off is reported once, as a notice about the device.
//!
//! # The rules (thresholds are [`PlausibilityRules`], defaults in brackets)
//! - **The device's time** at a push is its stated time (the request's `hlc`), taken no earlier
//!   than the server's clock and no later than the server's clock plus `clock_tolerance_s` [24 h]:
//!   [`DeviceClock::latest_allowed`]. A patrol time later than that by more than
//!   `future_slack_s` [300 s] is `future_timestamp` (see [`super::plausibility::timing`]).
//! - **Notice** ([`settle_notice`]): a device whose stated time is off the server's by more than
//!   `future_slack_s` gets one `clock_offset` notice, on the device, not on any patrol. It is
//!   raised once, replaced only when the offset moves by more than the slack or a tenth of itself,
//!   and withdrawn when the clock is set right.
//! - **Event clocks** ([`event_clock`]): an event's HLC more than `clock_tolerance_s` ahead of the
//!   server is `clock_skew`; more than `behind_slack_s` [300 s] before the HLC of the event before
//!   it in the device's chain (an honest HLC only moves forward) or more than `stale_clock_days`
//!   [365] before the server's clock (a clock reset years back, or a forged time) is
//!   `behind_device_clock`. Both are flags on the event.
//!
//! "First one counts" decisions (which of two tracks is the copy) are taken in the server's order
//! of receipt, never by these clocks, so a backdated clock wins nothing.

use super::plausibility::PlausibilityRules;
use super::plausibility::flag::span;
use crate::values::county_time;
use crate::wire::FlagKind;

/// A day in milliseconds.
const DAY_MS: i64 = 86_400_000;

/// A device's clock at one sync: the time it states and the server's, Unix ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceClock {
    /// The sync request's `hlc`.
    pub stated_ms: i64,
    /// The server's clock when it received the request.
    pub server_ms: i64,
}

impl DeviceClock {
    /// How far the device's clock is ahead of the server's (negative: behind).
    pub fn offset_ms(&self) -> i64 {
        self.stated_ms.saturating_sub(self.server_ms)
    }

    /// The latest time a push may state before `future_slack_s`: the device's stated time, bounded
    /// by the server's clock and the tolerance.
    pub fn latest_allowed(&self, rules: &PlausibilityRules) -> i64 {
        let tolerance = i64::from(rules.clock_tolerance_s) * 1_000;
        self.stated_ms.clamp(self.server_ms, self.server_ms.saturating_add(tolerance))
    }
}

/// The notice on a device whose clock is off, with how far (negative: behind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockNotice {
    pub offset_ms: i64,
    pub stated_ms: i64,
}

impl ClockNotice {
    pub fn kind(&self) -> FlagKind {
        FlagKind::ClockOffset
    }

    /// e.g. "the device's clock is 3 h 5 min ahead of the server's (it said 2026-11-26 13:47:05)".
    pub fn detail(&self) -> String {
        let way = if self.offset_ms >= 0 { "ahead of" } else { "behind" };
        format!(
            "the device's clock is {} {way} the server's (it said {}); set the phone's time and time zone",
            span(self.offset_ms.saturating_abs() / 1_000),
            county_time(self.stated_ms)
        )
    }
}

/// What to do with a device's clock notice after a sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeChange {
    /// Nothing: no notice is due, or the open one still says it.
    Keep,
    /// Raise this notice (withdrawing any open one first).
    Raise(ClockNotice),
    /// Withdraw the open notice: the clock is right again.
    Withdraw,
}

/// The notice a device's clock calls for, given the offset its open notice states (`noted`).
pub fn settle_notice(noted: Option<i64>, clock: &DeviceClock, rules: &PlausibilityRules) -> NoticeChange {
    let slack = i64::from(rules.future_slack_s) * 1_000;
    let offset = clock.offset_ms();
    match noted {
        _ if offset.saturating_abs() <= slack => {
            if noted.is_some() {
                NoticeChange::Withdraw
            } else {
                NoticeChange::Keep
            }
        }
        Some(n) if offset.abs_diff(n) <= slack.max(n.saturating_abs() / 10).unsigned_abs() => NoticeChange::Keep,
        _ => NoticeChange::Raise(ClockNotice { offset_ms: offset, stated_ms: clock.stated_ms }),
    }
}

/// A problem with one event's clock (its HLC), flagged on the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventClockFlag {
    /// More than the tolerance ahead of the server's clock.
    Ahead { hlc_ms: i64, ahead_s: i64 },
    /// Before the previous event of the device's chain.
    BehindChain { hlc_ms: i64, behind_s: i64 },
    /// Far before the server's clock.
    Stale { hlc_ms: i64, behind_s: i64 },
}

impl EventClockFlag {
    pub fn kind(&self) -> FlagKind {
        match self {
            EventClockFlag::Ahead { .. } => FlagKind::ClockSkew,
            EventClockFlag::BehindChain { .. } | EventClockFlag::Stale { .. } => FlagKind::BehindDeviceClock,
        }
    }

    pub fn detail(&self) -> String {
        match self {
            EventClockFlag::Ahead { hlc_ms, ahead_s } => {
                format!("its clock reads {}, {} ahead of the server's, beyond the tolerance", county_time(*hlc_ms), span(*ahead_s))
            }
            EventClockFlag::BehindChain { hlc_ms, behind_s } => {
                format!("its clock reads {}, {} before the event this device recorded before it", county_time(*hlc_ms), span(*behind_s))
            }
            EventClockFlag::Stale { hlc_ms, behind_s } => {
                format!("its clock reads {}, {} behind the server's: a reset or forged clock", county_time(*hlc_ms), span(*behind_s))
            }
        }
    }
}

/// The flag an event's clock `hlc_ms` calls for, given the HLC of the device's previous event in
/// its chain and the server's clock (see the module docs).
pub fn event_clock(hlc_ms: i64, previous_ms: Option<i64>, server_ms: i64, rules: &PlausibilityRules) -> Option<EventClockFlag> {
    let tolerance = i64::from(rules.clock_tolerance_s) * 1_000;
    let ahead = hlc_ms.saturating_sub(server_ms);
    if ahead > tolerance {
        return Some(EventClockFlag::Ahead { hlc_ms, ahead_s: ahead / 1_000 });
    }
    let behind_chain = previous_ms.map_or(0, |p| p.saturating_sub(hlc_ms));
    if behind_chain > i64::from(rules.behind_slack_s) * 1_000 {
        return Some(EventClockFlag::BehindChain { hlc_ms, behind_s: behind_chain / 1_000 });
    }
    let behind = server_ms.saturating_sub(hlc_ms);
    (behind > i64::from(rules.stale_clock_days) * DAY_MS).then_some(EventClockFlag::Stale { hlc_ms, behind_s: behind / 1_000 })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-26 10:42:05 county time.
    const NOW: i64 = 1_795_660_925_000;
    const H: i64 = 3_600_000;

    fn clock(offset: i64) -> DeviceClock {
        DeviceClock { stated_ms: NOW + offset, server_ms: NOW }
    }

    #[test]
    fn a_push_may_state_times_up_to_the_devices_clock_within_the_tolerance() {
        let rules = PlausibilityRules::default();
        let cases = [
            ("right", 0, NOW),
            ("3 h ahead", 3 * H, NOW + 3 * H),
            ("23 h ahead", 23 * H, NOW + 23 * H),
            ("3 days ahead: bounded", 72 * H, NOW + 24 * H),
            ("behind: the server's clock", -5 * H, NOW),
        ];
        for (what, offset, latest) in cases {
            assert_eq!(clock(offset).latest_allowed(&rules), latest, "{what}");
        }
        let strict = PlausibilityRules { clock_tolerance_s: 3_600, ..rules };
        assert_eq!(clock(3 * H).latest_allowed(&strict), NOW + H, "the tolerance is configurable");
    }

    #[test]
    fn a_device_clock_off_gets_one_notice_until_it_moves_or_is_set_right() {
        let rules = PlausibilityRules::default();
        let raise = |offset: i64| NoticeChange::Raise(ClockNotice { offset_ms: offset, stated_ms: NOW + offset });
        let cases = [
            ("right, none noted", None, 0, NoticeChange::Keep),
            ("4 min ahead", None, 240_000, NoticeChange::Keep),
            ("3 h ahead, first seen", None, 3 * H, raise(3 * H)),
            ("3 h ahead again, a second later", Some(3 * H), 3 * H + 1_000, NoticeChange::Keep),
            ("3 h 15 min: within a tenth", Some(3 * H), 3 * H + 15 * 60_000, NoticeChange::Keep),
            ("5 h: moved", Some(3 * H), 5 * H, raise(5 * H)),
            ("set right", Some(3 * H), 2_000, NoticeChange::Withdraw),
            ("2 h behind", None, -2 * H, raise(-2 * H)),
        ];
        for (what, noted, offset, change) in cases {
            assert_eq!(settle_notice(noted, &clock(offset), &rules), change, "{what}");
        }
        let notice = ClockNotice { offset_ms: 3 * H + 5 * 60_000, stated_ms: NOW + 3 * H + 5 * 60_000 };
        assert_eq!(notice.kind(), FlagKind::ClockOffset);
        assert_eq!(
            notice.detail(),
            "the device's clock is 3 h 5 min ahead of the server's (it said 2026-11-26 13:47:05); set the phone's time and time zone"
        );
    }

    #[test]
    fn an_event_clock_beyond_the_tolerance_or_running_back_is_flagged() {
        let rules = PlausibilityRules::default();
        let year = 365 * 24 * H;
        let cases = [
            ("now", NOW, Some(NOW - H), None),
            ("a week old (a late sync)", NOW - 7 * 24 * H, None, None),
            ("23 h ahead: a notice, not a flag", NOW + 23 * H, None, None),
            ("25 h ahead", NOW + 25 * H, None, Some(EventClockFlag::Ahead { hlc_ms: NOW + 25 * H, ahead_s: 25 * 3_600 })),
            ("4 min behind the previous", NOW - 4 * 60_000, Some(NOW), None),
            (
                "a day behind the previous",
                NOW - 24 * H,
                Some(NOW),
                Some(EventClockFlag::BehindChain { hlc_ms: NOW - 24 * H, behind_s: 86_400 }),
            ),
            ("three years back", NOW - 3 * year, None, Some(EventClockFlag::Stale { hlc_ms: NOW - 3 * year, behind_s: 3 * 31_536_000 })),
        ];
        for (what, hlc, previous, flag) in cases {
            assert_eq!(event_clock(hlc, previous, NOW, &rules), flag, "{what}");
        }
        let stale = EventClockFlag::Stale { hlc_ms: NOW - 3 * year, behind_s: 3 * 31_536_000 };
        assert_eq!(
            (stale.kind(), stale.detail().as_str()),
            (FlagKind::BehindDeviceClock, "its clock reads 2023-11-27 10:42:05, 3 y 0 d behind the server's: a reset or forged clock")
        );
        assert_eq!(EventClockFlag::Ahead { hlc_ms: NOW, ahead_s: 1 }.kind(), FlagKind::ClockSkew);
    }
}
