//! The server's wall clock, injected: every "now" the server reads (receive times, token issue and
//! expiry, session lifetimes, login throttling, report weeks, overdue cases) comes from one
//! [`Clock`], the system's in production and a settable one in tests, so that a test can stand on
//! a fixed date and move time forward without sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// A source of wall-clock time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Now, in Unix milliseconds.
    fn now_ms(&self) -> i64;

    /// Now, in Unix seconds (rounded down).
    fn now_s(&self) -> i64 {
        self.now_ms().div_euclid(1_000)
    }
}

/// The clock the application holds; cheap to clone.
pub type SharedClock = Arc<dyn Clock>;

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        chrono::Utc::now().timestamp_millis()
    }
}

/// The system clock as a [`SharedClock`].
pub fn system() -> SharedClock {
    Arc::new(SystemClock)
}

/// A clock that tests set and move: one that stands still ([`TestClock::at`]), or one that runs
/// with the system's clock ([`TestClock::running`]), moved forward when a test needs time to pass
/// (a token's lifetime, a grace period) without sleeping.
#[derive(Debug, Default)]
pub struct TestClock {
    /// Now in Unix milliseconds if standing, else how far this clock is ahead of the system's.
    ms: AtomicI64,
    running: bool,
}

impl TestClock {
    /// A clock standing at `ms` (Unix milliseconds).
    pub fn at(ms: i64) -> Arc<TestClock> {
        Arc::new(TestClock { ms: AtomicI64::new(ms), running: false })
    }

    /// A clock that reads the system's until it is set or moved, and runs on from there.
    pub fn running() -> Arc<TestClock> {
        Arc::new(TestClock { ms: AtomicI64::new(0), running: true })
    }

    pub fn set(&self, ms: i64) {
        let base = if self.running { SystemClock.now_ms() } else { 0 };
        self.ms.store(ms - base, Ordering::SeqCst);
    }

    /// Moves the clock forward (or back, with a negative `ms`).
    pub fn advance(&self, ms: i64) {
        self.ms.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now_ms(&self) -> i64 {
        let base = if self.running { SystemClock.now_ms() } else { 0 };
        base + self.ms.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_clock_stands_still_until_moved() {
        let clock = TestClock::at(1_765_324_800_123);
        assert_eq!(clock.now_ms(), 1_765_324_800_123);
        assert_eq!(clock.now_s(), 1_765_324_800);
        clock.advance(1_000);
        assert_eq!(clock.now_ms(), 1_765_324_801_123);
        clock.set(-1);
        assert_eq!(clock.now_s(), -1, "seconds round down before 1970 too");
        assert!(SystemClock.now_ms() > 1_700_000_000_000);
    }

    #[test]
    fn a_running_test_clock_follows_the_system_from_where_it_was_moved() {
        let clock = TestClock::running();
        let before = SystemClock.now_ms();
        let now = clock.now_ms();
        assert!(now >= before && now <= SystemClock.now_ms(), "it starts at the system's time");
        clock.advance(86_400_000);
        let moved = clock.now_ms() - SystemClock.now_ms();
        assert!((86_399_000..=86_400_000).contains(&moved), "a day ahead: {moved} ms");
        clock.set(1_765_324_800_000);
        let at = clock.now_ms();
        assert!((1_765_324_800_000..1_765_324_801_000).contains(&at), "set, and running on: {at}");
    }
}
