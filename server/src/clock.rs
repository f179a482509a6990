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

/// A clock that stands still until it is set or moved: for tests.
#[derive(Debug, Default)]
pub struct TestClock {
    ms: AtomicI64,
}

impl TestClock {
    /// A clock standing at `ms` (Unix milliseconds).
    pub fn at(ms: i64) -> Arc<TestClock> {
        Arc::new(TestClock { ms: AtomicI64::new(ms) })
    }

    pub fn set(&self, ms: i64) {
        self.ms.store(ms, Ordering::SeqCst);
    }

    /// Moves the clock forward (or back, with a negative `ms`).
    pub fn advance(&self, ms: i64) {
        self.ms.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now_ms(&self) -> i64 {
        self.ms.load(Ordering::SeqCst)
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
}
