//! Login throttling per account: at most `limit` failed logins per account per hour, with a delay
//! that grows with each failure, and no lockout an attacker can use against a real officer.
//!
//! Failures are counted per (username, proven device). A login from a phone that proves it holds
//! the key of a device already bound to that user counts on its own budget, so a stranger spending
//! the account's budget never keeps the officer out on their own phone. Unknown usernames are
//! throttled exactly like known ones, so the throttle tells nothing about who exists.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;
use sync_protocol::ids::DeviceId;

/// Settings (`[auth.throttle]`).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ThrottleSettings {
    /// Failed logins per account (and per proven device) in any hour; the rest answer 429.
    pub failures_per_hour: u32,
    /// Failures that cost no delay.
    pub free_failures: u32,
    /// The first delay, milliseconds; it doubles with each further failure.
    pub first_delay_ms: u64,
    /// The longest delay, milliseconds.
    pub max_delay_ms: u64,
    /// Most accounts tracked at once; the least recently failed are forgotten first.
    pub max_tracked: usize,
}

impl Default for ThrottleSettings {
    fn default() -> Self {
        ThrottleSettings { failures_per_hour: 100, free_failures: 3, first_delay_ms: 250, max_delay_ms: 8_000, max_tracked: 100_000 }
    }
}

const WINDOW_MS: i64 = 3_600_000;

/// Whose failures a login attempt counts against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ThrottleKey {
    username: String,
    device: Option<DeviceId>,
}

impl ThrottleKey {
    /// `device` only when the login proved it holds that device's enrolled key.
    pub fn new(username: &str, device: Option<DeviceId>) -> ThrottleKey {
        ThrottleKey { username: username.trim().to_lowercase(), device }
    }
}

#[derive(Debug, Default)]
struct Attempts {
    /// Times of the failures in the last hour, oldest first.
    failures: VecDeque<i64>,
    /// Attempts admitted and not yet finished: they count against the budget, so a burst of
    /// parallel guesses cannot overshoot it.
    pending: u32,
}

impl Attempts {
    fn forget_before(&mut self, now_ms: i64) {
        while self.failures.front().is_some_and(|&t| t <= now_ms - WINDOW_MS) {
            self.failures.pop_front();
        }
    }
}

/// An attempt let through: wait `delay` before checking the password, then call
/// [`LoginThrottle::finish`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admitted {
    pub delay: Duration,
}

/// The account's budget is spent: try again after this long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

pub struct LoginThrottle {
    settings: ThrottleSettings,
    accounts: Mutex<HashMap<ThrottleKey, Attempts>>,
}

impl LoginThrottle {
    pub fn new(settings: ThrottleSettings) -> LoginThrottle {
        LoginThrottle { settings, accounts: Mutex::default() }
    }

    /// Lets an attempt on `key` through with its delay, or refuses it until the oldest failure
    /// of the hour has aged out.
    pub fn admit(&self, key: &ThrottleKey, now_ms: i64) -> Result<Admitted, RetryAfter> {
        let mut accounts = self.accounts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if !accounts.contains_key(key) && accounts.len() >= self.settings.max_tracked {
            forget_oldest(&mut accounts, now_ms);
        }
        let attempts = accounts.entry(key.clone()).or_default();
        attempts.forget_before(now_ms);
        let spent = attempts.failures.len() as u64 + u64::from(attempts.pending);
        if spent >= u64::from(self.settings.failures_per_hour) {
            let oldest = attempts.failures.front().copied().unwrap_or(now_ms);
            let wait_ms = (oldest + WINDOW_MS - now_ms).max(1_000);
            return Err(RetryAfter(Duration::from_millis(wait_ms as u64)));
        }
        attempts.pending += 1;
        Ok(Admitted { delay: self.delay_after(spent) })
    }

    /// Records how an admitted attempt ended: a failure counts for an hour; a success forgets
    /// this key's failures.
    pub fn finish(&self, key: &ThrottleKey, succeeded: bool, now_ms: i64) {
        let mut accounts = self.accounts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(attempts) = accounts.get_mut(key) else { return };
        attempts.pending = attempts.pending.saturating_sub(1);
        if succeeded {
            attempts.failures.clear();
        } else {
            attempts.failures.push_back(now_ms);
        }
        if attempts.failures.is_empty() && attempts.pending == 0 {
            accounts.remove(key);
        }
    }

    /// No delay for the first few failures, then `first_delay_ms` doubling up to the ceiling.
    fn delay_after(&self, failures: u64) -> Duration {
        let s = &self.settings;
        let Some(extra) = failures.checked_sub(u64::from(s.free_failures)) else { return Duration::ZERO };
        let ms = s.first_delay_ms.saturating_mul(1u64 << extra.min(32)).min(s.max_delay_ms);
        Duration::from_millis(ms)
    }
}

/// Makes room when the map is full: first keys with nothing left in the window, else the one
/// whose newest failure is oldest.
fn forget_oldest(accounts: &mut HashMap<ThrottleKey, Attempts>, now_ms: i64) {
    accounts.retain(|_, a| {
        a.forget_before(now_ms);
        !a.failures.is_empty() || a.pending > 0
    });
    if let Some(key) = accounts
        .iter()
        .filter(|(_, a)| a.pending == 0)
        .min_by_key(|(_, a)| a.failures.back().copied().unwrap_or(i64::MIN))
        .map(|(k, _)| k.clone())
    {
        accounts.remove(&key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle() -> LoginThrottle {
        LoginThrottle::new(ThrottleSettings::default())
    }

    fn fail(t: &LoginThrottle, key: &ThrottleKey, now: i64) -> Result<Duration, RetryAfter> {
        let a = t.admit(key, now)?;
        t.finish(key, false, now);
        Ok(a.delay)
    }

    #[test]
    fn the_hundred_and_first_failure_in_an_hour_is_refused_until_the_first_ages_out() {
        let t = throttle();
        let key = ThrottleKey::new("vo-t01-v01", None);
        for i in 0..100 {
            fail(&t, &key, i * 1_000).expect("within the budget");
        }
        let RetryAfter(wait) = t.admit(&key, 100_000).expect_err("the budget is spent");
        assert_eq!(wait, Duration::from_millis(3_600_000 - 100_000), "until the first failure is an hour old");
        assert!(t.admit(&key, 3_600_000).is_ok(), "an hour after the first failure, one more try");
    }

    #[test]
    fn delays_grow_with_each_failure_up_to_the_ceiling() {
        let t = throttle();
        let key = ThrottleKey::new("vo-t01-v01", None);
        let delays: Vec<u64> = (0..10).map(|i| fail(&t, &key, i).expect("admitted").as_millis() as u64).collect();
        assert_eq!(delays, [0, 0, 0, 250, 500, 1_000, 2_000, 4_000, 8_000, 8_000]);
    }

    #[test]
    fn a_proven_device_keeps_its_own_budget_when_strangers_spend_the_accounts() {
        let t = throttle();
        let stranger = ThrottleKey::new("vo-t01-v01", None);
        for i in 0..100 {
            fail(&t, &stranger, i).expect("within the budget");
        }
        assert!(t.admit(&stranger, 200).is_err());
        let phone = ThrottleKey::new("VO-T01-V01", Some("0192f0c1-0000-7000-8000-0000000000aa".parse().expect("device")));
        let a = t.admit(&phone, 200).expect("the officer's own phone still gets in");
        assert_eq!(a.delay, Duration::ZERO);
        t.finish(&phone, true, 200);
    }

    #[test]
    fn parallel_attempts_count_before_they_finish_and_a_success_forgets_the_failures() {
        let t = LoginThrottle::new(ThrottleSettings { failures_per_hour: 3, ..ThrottleSettings::default() });
        let key = ThrottleKey::new("ti-t01", None);
        for _ in 0..3 {
            t.admit(&key, 0).expect("admitted");
        }
        assert!(t.admit(&key, 0).is_err(), "three in flight fill a budget of three");
        t.finish(&key, true, 1);
        t.finish(&key, false, 1);
        t.finish(&key, false, 1);
        assert!(t.admit(&key, 2).is_ok(), "two failures and one slot free");
        t.finish(&key, true, 3);
        assert!(t.accounts.lock().expect("lock").is_empty(), "a success forgets the key");
    }

    #[test]
    fn unknown_and_known_usernames_are_throttled_alike_and_the_map_stays_bounded() {
        let t = LoginThrottle::new(ThrottleSettings { max_tracked: 10, ..ThrottleSettings::default() });
        for i in 0..50 {
            let key = ThrottleKey::new(&format!("nobody-{i}"), None);
            assert_eq!(fail(&t, &key, i), Ok(Duration::ZERO));
        }
        assert!(t.accounts.lock().expect("lock").len() <= 10);
    }
}
