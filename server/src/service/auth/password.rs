//! Password hashing with argon2id at configured cost (never below OWASP's m = 19 MiB, t = 2,
//! p = 1), off the async workers on a bounded pool; stored hashes outside the accepted range are
//! refused, hashes below the current cost are flagged for a rehash at the next good login.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::pool::Blocking;

/// Fewest characters a new password may have (ASVS 5.0 6.2.1); no composition rules.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Most characters a password may have: at least 64 must be allowed (ASVS 5.0 6.2.9); longer
/// ones are refused before hashing.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// The argon2id cost of new hashes (`[auth.password]`). OWASP's minimum is the default and the
/// floor; the ceilings bound what a stored hash may make the server spend on one login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordCost {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for PasswordCost {
    fn default() -> Self {
        PasswordCost { memory_kib: 19_456, iterations: 2, parallelism: 1 }
    }
}

/// The accepted range of each parameter, for configured costs and for stored hashes alike.
pub const MEMORY_KIB: std::ops::RangeInclusive<u32> = 19_456..=1_048_576;
pub const ITERATIONS: std::ops::RangeInclusive<u32> = 2..=16;
pub const PARALLELISM: std::ops::RangeInclusive<u32> = 1..=8;
/// The only output length the server makes or accepts, bytes.
const OUTPUT_BYTES: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error(
        "argon2id cost out of range: m = {memory_kib} KiB (allowed {MEMORY_KIB:?}), t = {iterations} ({ITERATIONS:?}), p = {parallelism} ({PARALLELISM:?})"
    )]
    CostOutOfRange { memory_kib: u32, iterations: u32, parallelism: u32 },
    #[error("a password needs {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters; this one has {0}")]
    Length(usize),
    #[error("cannot hash: {0}")]
    Hash(String),
}

impl PasswordCost {
    /// Refuses a cost below OWASP's minimum or above the ceilings.
    pub fn checked(self) -> Result<PasswordCost, PasswordError> {
        if MEMORY_KIB.contains(&self.memory_kib) && ITERATIONS.contains(&self.iterations) && PARALLELISM.contains(&self.parallelism) {
            Ok(self)
        } else {
            Err(PasswordError::CostOutOfRange { memory_kib: self.memory_kib, iterations: self.iterations, parallelism: self.parallelism })
        }
    }

    fn argon2(self) -> Result<Argon2<'static>, PasswordError> {
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, Some(OUTPUT_BYTES))
            .map_err(|e| PasswordError::Hash(e.to_string()))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }

    /// Whether a hash made at `self` costs less than `current` in any parameter.
    fn below(self, current: PasswordCost) -> bool {
        self.memory_kib < current.memory_kib || self.iterations < current.iterations || self.parallelism < current.parallelism
    }
}

/// Refuses a new password outside the length rule (counted in characters, not bytes).
pub fn check_new_password(password: &str) -> Result<(), PasswordError> {
    let chars = password.chars().count();
    if (MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars) { Ok(()) } else { Err(PasswordError::Length(chars)) }
}

/// A random password of `chars` characters from 32 letters and digits that are hard to confuse
/// (no `l`, `o`, `0`, `1`): 5 bits each, from the OS's random generator.
pub fn random_password(chars: usize) -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    (0..chars).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect()
}

/// Hashes `password` into a PHC string at `cost`. Blocking and slow by design.
pub fn hash(password: &str, cost: PasswordCost) -> Result<String, PasswordError> {
    let salt = SaltString::generate(&mut OsRng);
    let argon2 = cost.checked()?.argon2()?;
    Ok(argon2.hash_password(password.as_bytes(), &salt).map_err(|e| PasswordError::Hash(e.to_string()))?.to_string())
}

/// A stored hash, read and range-checked: argon2id, version 0x13, a 32-byte output and each
/// parameter within the accepted range. Anything else is refused, never run.
fn stored_cost(phc: &str) -> Option<PasswordCost> {
    let parsed = PasswordHash::new(phc).ok()?;
    if parsed.algorithm != Algorithm::Argon2id.ident() || parsed.version != Some(Version::V0x13.into()) {
        return None;
    }
    if parsed.hash.map(|h| h.len()) != Some(OUTPUT_BYTES) {
        return None;
    }
    let params = Params::try_from(&parsed).ok()?;
    PasswordCost { memory_kib: params.m_cost(), iterations: params.t_cost(), parallelism: params.p_cost() }.checked().ok()
}

/// What checking a password against a stored hash found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The password is right; `rehash` when the stored hash costs less than the current setting.
    Right {
        rehash: bool,
    },
    Wrong,
}

/// Checks `password` against a stored PHC string, counting the argon2 run in `runs`; `None`, and
/// no run, when the string is not an accepted argon2id hash (the caller then spends a dummy run
/// instead, so the timing tells nothing).
fn verify(password: &str, phc: &str, current: PasswordCost, runs: &AtomicU64) -> Option<Verdict> {
    let cost = stored_cost(phc)?;
    let parsed = PasswordHash::new(phc).ok()?;
    let argon2 = cost.argon2().ok()?;
    runs.fetch_add(1, Ordering::Relaxed);
    Some(match argon2.verify_password(password.as_bytes(), &parsed) {
        Ok(()) => Verdict::Right { rehash: cost.below(current) },
        Err(_) => Verdict::Wrong,
    })
}

/// Runs password checks on a few threads of their own, so a login storm cannot starve the sync
/// traffic. Every check costs exactly one argon2id run at the current cost or the stored one.
#[derive(Clone)]
pub struct PasswordChecker {
    threads: Blocking,
    dummy: Arc<String>,
    cost: PasswordCost,
    runs: Arc<AtomicU64>,
}

impl PasswordChecker {
    pub fn new(concurrency: usize, cost: PasswordCost) -> Result<Self, PasswordError> {
        let threads = Blocking::new("argon2", concurrency).map_err(|e| PasswordError::Hash(e.to_string()))?;
        let dummy = hash("not a real password", cost)?;
        Ok(PasswordChecker { threads, dummy: Arc::new(dummy), cost, runs: Arc::default() })
    }

    /// The cost of new hashes.
    pub fn cost(&self) -> PasswordCost {
        self.cost
    }

    /// How many argon2 verifications this checker has run (each check runs exactly one), counted
    /// where argon2 runs, so a path that skipped it would show.
    pub fn runs(&self) -> u64 {
        self.runs.load(Ordering::Relaxed)
    }

    /// Verifies `password` against `stored`. With no user, a refused hash or an over-long
    /// password, it verifies against the dummy hash instead, so every path costs one argon2 run
    /// and answers `Wrong` alike.
    pub async fn check(&self, password: String, stored: Option<String>) -> Verdict {
        let (dummy, cost, runs) = (self.dummy.clone(), self.cost, self.runs.clone());
        let too_long = password.chars().count() > MAX_PASSWORD_CHARS;
        let job = move || {
            let real = stored.filter(|phc| !too_long && stored_cost(phc).is_some());
            match real {
                Some(phc) => verify(&password, &phc, cost, &runs).unwrap_or(Verdict::Wrong),
                None => {
                    // Same work as a real check; the answer is always "wrong".
                    let _ = verify(if too_long { "" } else { &password }, &dummy, cost, &runs);
                    Verdict::Wrong
                }
            }
        };
        self.threads.run("argon2", job).await.unwrap_or(Verdict::Wrong)
    }

    /// Hashes `password` at the current cost on the checker's threads.
    pub async fn hash(&self, password: String) -> Result<String, PasswordError> {
        let cost = self.cost;
        self.threads.run("argon2", move || hash(&password, cost)).await.map_err(|e| PasswordError::Hash(e.to_string()))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cheap cost for tests that only need the accepted-range logic.
    const FLOOR: PasswordCost = PasswordCost { memory_kib: 19_456, iterations: 2, parallelism: 1 };

    #[test]
    fn a_hash_verifies_its_password_only() {
        let phc = hash("correct horse battery", FLOOR).expect("hash");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_eq!(verify("correct horse battery", &phc, FLOOR, &AtomicU64::new(0)), Some(Verdict::Right { rehash: false }));
        assert_eq!(verify("correct horse batterY", &phc, FLOOR, &AtomicU64::new(0)), Some(Verdict::Wrong));
        assert_eq!(verify("anything", "not a phc string", FLOOR, &AtomicU64::new(0)), None);
    }

    #[test]
    fn a_hash_below_the_current_cost_asks_for_a_rehash() {
        let phc = hash("correct horse battery", FLOOR).expect("hash");
        let raised = PasswordCost { memory_kib: 24_576, ..FLOOR };
        assert_eq!(verify("correct horse battery", &phc, raised, &AtomicU64::new(0)), Some(Verdict::Right { rehash: true }));
        assert_eq!(
            verify("wrong horse battery", &phc, raised, &AtomicU64::new(0)),
            Some(Verdict::Wrong),
            "never a rehash on a wrong password"
        );
    }

    #[test]
    fn stored_hashes_outside_the_accepted_range_are_refused_unrun() {
        let good = hash("correct horse battery", FLOOR).expect("hash");
        let salt_and_hash = good.rsplitn(3, '$').take(2).collect::<Vec<_>>();
        let tail = format!("{}${}", salt_and_hash[1], salt_and_hash[0]);
        for bad in [
            format!("$argon2id$v=19$m=4096,t=2,p=1${tail}"),       // memory below OWASP
            format!("$argon2id$v=19$m=19456,t=1,p=1${tail}"),      // one pass
            format!("$argon2id$v=19$m=4194304,t=2,p=1${tail}"),    // 4 GiB: a denial of service
            format!("$argon2id$v=19$m=19456,t=100000,p=1${tail}"), // hours of CPU
            format!("$argon2id$v=19$m=19456,t=2,p=64${tail}"),
            format!("$argon2i$v=19$m=19456,t=2,p=1${tail}"),  // not argon2id
            format!("$argon2id$v=16$m=19456,t=2,p=1${tail}"), // old version
            "$scrypt$ln=16,r=8,p=1$c2FsdA$aGFzaA".to_string(),
            String::new(),
        ] {
            assert_eq!(stored_cost(&bad), None, "{bad}");
            let runs = AtomicU64::new(0);
            assert_eq!(verify("correct horse battery", &bad, FLOOR, &runs), None, "{bad}");
            assert_eq!(runs.load(Ordering::Relaxed), 0, "refused unrun: {bad}");
        }
        assert_eq!(stored_cost(&good), Some(FLOOR));
    }

    #[test]
    fn configured_costs_below_owasp_or_above_the_ceilings_are_refused() {
        assert!(PasswordCost::default().checked().is_ok());
        assert_eq!(PasswordCost::default(), FLOOR, "OWASP's minimum is the default");
        assert!(PasswordCost { memory_kib: 19_455, ..FLOOR }.checked().is_err());
        assert!(PasswordCost { iterations: 1, ..FLOOR }.checked().is_err());
        assert!(PasswordCost { parallelism: 0, ..FLOOR }.checked().is_err());
        assert!(PasswordCost { memory_kib: 2_000_000, ..FLOOR }.checked().is_err());
        assert!(hash("correct horse battery", PasswordCost { iterations: 1, ..FLOOR }).is_err());
    }

    #[test]
    fn new_passwords_need_8_to_128_characters_of_any_kind() {
        assert!(check_new_password("1234567").is_err());
        assert!(check_new_password("12345678").is_ok());
        assert!(check_new_password("巡查员的密码很长").is_ok(), "eight characters, 24 bytes");
        assert!(check_new_password(&"a".repeat(64)).is_ok());
        assert!(check_new_password(&"a".repeat(128)).is_ok());
        assert!(check_new_password(&"a".repeat(129)).is_err());
        assert!(check_new_password("all lower case words").is_ok(), "no composition rules");
    }

    #[tokio::test]
    async fn every_path_costs_exactly_one_argon2_run_and_only_a_real_match_passes() {
        let checker = PasswordChecker::new(1, FLOOR).expect("checker");
        let phc = hash("correct horse battery", FLOOR).expect("hash");
        let long = format!("correct horse battery{}", " ".repeat(200));
        let paths = [
            ("correct horse battery".to_string(), Some(phc.clone()), Verdict::Right { rehash: false }, "the right password"),
            ("wrong".into(), Some(phc.clone()), Verdict::Wrong, "a wrong password"),
            ("not a real password".into(), None, Verdict::Wrong, "no such user, with the dummy's own password"),
            ("x".into(), Some(String::new()), Verdict::Wrong, "an empty stored hash"),
            ("x".into(), Some("$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA".into()), Verdict::Wrong, "a refused stored hash"),
            (long, Some(phc), Verdict::Wrong, "an over-long password"),
        ];
        for (password, stored, verdict, path) in paths {
            let before = checker.runs();
            assert_eq!(checker.check(password, stored).await, verdict, "{path}");
            // Counted inside `verify`, where argon2 runs: a path that skipped its run would show 0.
            assert_eq!(checker.runs() - before, 1, "{path}: exactly one argon2 run");
        }
    }
}
