//! Exponential backoff with jitter for the upload loop: after the n-th failure in a row, wait a
//! random time between half and all of `base * 2^(n-1)`, capped at `max`. Pure: the caller passes
//! the random source in.

use std::time::Duration;

use rand::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    /// 5 s, 10 s, 20 s … up to 10 minutes: a phone on a weak signal should not drain its battery.
    fn default() -> Self {
        Backoff { base: Duration::from_secs(5), max: Duration::from_secs(600) }
    }
}

impl Backoff {
    /// The wait after `failures` failures in a row (at least 1).
    pub fn delay(&self, failures: u32, rng: &mut impl Rng) -> Duration {
        let exp = failures.saturating_sub(1).min(31);
        let ceiling = self.base.saturating_mul(1u32 << exp).min(self.max);
        // "Equal jitter": never less than half, so a herd of phones spreads without hammering.
        let half = ceiling / 2;
        let spread = u64::try_from((ceiling - half).as_millis()).unwrap_or(u64::MAX);
        half + Duration::from_millis(rng.gen_range(0..=spread))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn delays_grow_stay_jittered_and_are_capped() {
        let b = Backoff { base: Duration::from_millis(100), max: Duration::from_millis(1_000) };
        let mut rng = StdRng::seed_from_u64(7);
        for failures in 1..40 {
            let ceiling = (100u64 << (failures - 1).min(20)).min(1_000);
            for _ in 0..50 {
                let d = b.delay(failures, &mut rng).as_millis() as u64;
                assert!(d >= ceiling / 2 && d <= ceiling, "failure {failures}: {d} ms not in [{}, {ceiling}]", ceiling / 2);
            }
        }
        let draws: std::collections::BTreeSet<_> = (0..20).map(|_| b.delay(5, &mut rng)).collect();
        assert!(draws.len() > 10, "jitter must spread the delays");
    }
}
