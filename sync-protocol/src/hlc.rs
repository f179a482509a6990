//! Hybrid logical clock (Kulkarni et al., 2014): a timestamp that follows the wall clock but never
//! goes backwards, and that moves past every clock it has seen, so causal order is event order.
//!
//! The caller passes the wall clock in (`now_ms`); this module reads no clock itself.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

use crate::error::ValidationError;

/// A hybrid logical timestamp: wall milliseconds since the Unix epoch and a counter that orders
/// events within one millisecond. Ordered by `(ms, counter)`.
///
/// Wire form: `"<ms, 13 digits>-<counter, 5 digits>"`, e.g. `"1764131257000-00003"`, so that text
/// order equals time order.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Hlc {
    pub ms: u64,
    pub counter: u16,
}

/// The largest `ms` the wire form can carry (13 digits: the year 2286).
pub const MAX_HLC_MS: u64 = 9_999_999_999_999;

impl Hlc {
    pub const ZERO: Hlc = Hlc { ms: 0, counter: 0 };

    pub fn new(ms: u64, counter: u16) -> Self {
        Hlc { ms, counter }
    }

    /// The timestamp for a local event (or a message sent) when the wall clock reads `now_ms`.
    /// Strictly greater than `self`, whatever the wall clock does.
    pub fn tick(self, now_ms: u64) -> Hlc {
        if now_ms > self.ms { Hlc { ms: now_ms, counter: 0 } } else { self.bump() }
    }

    /// The timestamp after receiving `remote` when the wall clock reads `now_ms`: strictly
    /// greater than both `self` and `remote`.
    pub fn merge(self, remote: Hlc, now_ms: u64) -> Hlc {
        let top = self.max(remote);
        if now_ms > top.ms { Hlc { ms: now_ms, counter: 0 } } else { top.bump() }
    }

    /// Like [`Hlc::merge`], but refuses a remote clock further than `max_ahead_ms` ahead of the
    /// wall clock, so one device with a wrong clock cannot drag the receiver into the future.
    pub fn merge_bounded(self, remote: Hlc, now_ms: u64, max_ahead_ms: u64) -> Result<Hlc, ClockSkew> {
        if remote.ms > now_ms.saturating_add(max_ahead_ms) {
            return Err(ClockSkew { remote, now_ms });
        }
        Ok(self.merge(remote, now_ms))
    }

    fn bump(self) -> Hlc {
        match self.counter.checked_add(1) {
            Some(counter) => Hlc { ms: self.ms, counter },
            // Counter exhausted: borrow a millisecond from the future rather than wrap.
            None => Hlc { ms: self.ms + 1, counter: 0 },
        }
    }
}

/// A remote clock too far ahead of ours to be believed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("remote clock {remote} is too far ahead of wall clock {now_ms} ms")]
pub struct ClockSkew {
    pub remote: Hlc,
    pub now_ms: u64,
}

impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:013}-{:05}", self.ms, self.counter)
    }
}

impl fmt::Debug for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hlc({self})")
    }
}

impl FromStr for Hlc {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ValidationError::BadHlc(crate::ids::truncate(s));
        let (ms, counter) = s.split_once('-').ok_or_else(bad)?;
        if ms.len() != 13 || counter.len() != 5 {
            return Err(bad());
        }
        if !ms.bytes().chain(counter.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let ms: u64 = ms.parse().map_err(|_| bad())?;
        let counter: u16 = counter.parse().map_err(|_| bad())?;
        Ok(Hlc { ms, counter })
    }
}

impl Serialize for Hlc {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Hlc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn wall_clock_jumping_back_keeps_time_moving_forward() {
        let a = Hlc::ZERO.tick(1_000_000);
        let b = a.tick(500_000); // the phone's clock was set back
        let c = b.tick(500_001);
        assert!(a < b && b < c);
        assert_eq!(b, Hlc::new(1_000_000, 1));
    }

    #[test]
    fn merge_moves_past_the_remote_clock() {
        let local = Hlc::new(1_000, 4);
        let server = Hlc::new(5_000, 2);
        let merged = local.merge(server, 2_000);
        assert_eq!(merged, Hlc::new(5_000, 3));
        assert!(merged.tick(2_000) > server);
    }

    #[test]
    fn bounded_merge_refuses_a_clock_from_the_future() {
        let local = Hlc::new(1_000, 0);
        let far = Hlc::new(10_000_000, 0);
        assert!(local.merge_bounded(far, 1_000, 60_000).is_err());
        assert!(local.merge_bounded(Hlc::new(30_000, 0), 1_000, 60_000).is_ok());
    }

    #[test]
    fn counter_overflow_borrows_a_millisecond() {
        let h = Hlc::new(7, u16::MAX);
        assert_eq!(h.tick(0), Hlc::new(8, 0));
    }

    #[test]
    fn wire_form_is_fixed_width_and_strict() {
        let h = Hlc::new(1_764_131_257_000, 3);
        assert_eq!(h.to_string(), "1764131257000-00003");
        assert_eq!("1764131257000-00003".parse::<Hlc>().ok(), Some(h));
        for bad in ["1764131257000-3", "176413125700-00003", "1764131257000_00003", "+764131257000-00003", "1764131257000-99999"] {
            assert!(bad.parse::<Hlc>().is_err(), "{bad}");
        }
    }

    proptest! {
        /// Whatever the wall clock and the remote clocks do, every step is strictly greater, never
        /// behind the wall clock, and never ahead of the latest time it has seen (wall, own or
        /// remote) by more than the millisecond an exhausted counter borrows.
        #[test]
        fn hlc_is_strictly_monotonic_and_follows_the_wall_clock(steps in prop::collection::vec((0u64..2_000_000_000_000, prop::option::of((0u64..2_000_000_000_000, any::<u16>()))), 1..200)) {
            let mut h = Hlc::ZERO;
            for (now, remote) in steps {
                let (next, seen) = match remote {
                    Some((ms, c)) => {
                        let r = Hlc::new(ms, c);
                        let n = h.merge(r, now);
                        prop_assert!(n > r);
                        (n, ms)
                    }
                    None => (h.tick(now), 0),
                };
                prop_assert!(next > h);
                prop_assert!(next.ms >= now, "{next} is behind the wall clock {now}");
                prop_assert!(next.ms <= now.max(h.ms).max(seen) + 1, "{next} ran ahead of everything seen");
                h = next;
            }
        }

        #[test]
        fn text_order_is_time_order(a in (0u64..MAX_HLC_MS, any::<u16>()), b in (0u64..MAX_HLC_MS, any::<u16>())) {
            let (a, b) = (Hlc::new(a.0, a.1), Hlc::new(b.0, b.1));
            prop_assert_eq!(a.cmp(&b), a.to_string().cmp(&b.to_string()));
        }
    }
}
