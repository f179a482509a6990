//! The per-address limit on the auth routes (login, refresh, logout): a token bucket per client
//! IP (GCRA, from `governor`); over the limit the caller gets 429 with `Retry-After`.
//!
//! The address is the TCP peer's: the server trusts no forwarding header. Phones behind a
//! carrier's NAT share addresses, so the default is generous; the per-account throttle is what
//! stops guessing.

use governor::clock::{Clock, DefaultClock};
use governor::{Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

/// Settings (`[auth.per_ip]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IpLimitSettings {
    /// Requests per minute each address may make to the auth routes, on average.
    pub per_minute: u32,
    /// How many may come at once before the average applies.
    pub burst: u32,
}

impl Default for IpLimitSettings {
    fn default() -> Self {
        IpLimitSettings { per_minute: 60, burst: 30 }
    }
}

/// Addresses remembered before the limiter forgets those whose bucket is full again.
const FORGET_ABOVE: usize = 10_000;

pub struct IpLimit {
    limiter: RateLimiter<IpAddr, governor::state::keyed::DefaultKeyedStateStore<IpAddr>, DefaultClock>,
    clock: DefaultClock,
}

impl IpLimit {
    pub fn new(settings: IpLimitSettings) -> IpLimit {
        let per_minute = NonZeroU32::new(settings.per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(settings.burst.max(1)).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::per_minute(per_minute).allow_burst(burst);
        IpLimit { limiter: RateLimiter::keyed(quota), clock: DefaultClock::default() }
    }

    /// Takes one request from `ip`'s bucket, or says how long until one is free.
    pub fn check(&self, ip: IpAddr) -> Result<(), Duration> {
        if self.limiter.len() > FORGET_ABOVE {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&ip).map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_then_the_address_waits_and_others_do_not() {
        let limit = IpLimit::new(IpLimitSettings { per_minute: 6, burst: 3 });
        let a: IpAddr = "203.0.113.7".parse().expect("ip");
        let b: IpAddr = "203.0.113.8".parse().expect("ip");
        for _ in 0..3 {
            assert!(limit.check(a).is_ok());
        }
        let wait = limit.check(a).expect_err("over the burst");
        assert!(wait > Duration::from_secs(5) && wait <= Duration::from_secs(10), "one request per 10 s: {wait:?}");
        assert!(limit.check(b).is_ok(), "another address has its own bucket");
    }
}
