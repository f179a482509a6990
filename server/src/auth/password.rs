//! Password hashing with argon2id (OWASP's minimum: m = 19 MiB, t = 2, p = 1), always off the
//! async workers and through a bounded pool, verified against a dummy hash for unknown users so
//! that "no such user" and "wrong password" take the same time and give the same answer.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::Arc;

use crate::pool::Blocking;

/// Argon2id with OWASP's recommended minimum parameters.
pub fn argon2() -> Argon2<'static> {
    // These constants are within argon2's documented ranges, so `new` cannot fail with them.
    let params = Params::new(19_456, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes `password` into a PHC string. Blocking and slow by design.
pub fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(argon2().hash_password(password.as_bytes(), &salt)?.to_string())
}

/// Checks `password` against a stored PHC string; false for any malformed hash.
pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => argon2().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// Runs password checks on a few threads of their own, so a login storm cannot starve the sync
/// traffic.
#[derive(Clone)]
pub struct PasswordChecker {
    threads: Blocking,
    dummy: Arc<String>,
}

impl PasswordChecker {
    pub fn new(concurrency: usize) -> Result<Self, argon2::password_hash::Error> {
        let threads = Blocking::new("argon2", concurrency).map_err(|_| argon2::password_hash::Error::Crypto)?;
        Ok(PasswordChecker { threads, dummy: Arc::new(hash("not a real password")?) })
    }

    /// Verifies `password` against `stored`, or against the dummy hash when there is no user, so
    /// both paths cost one argon2 run.
    pub async fn check(&self, password: String, stored: Option<String>) -> bool {
        let (phc, real) = match stored {
            Some(phc) if !phc.is_empty() => (phc, true),
            _ => (self.dummy.as_ref().clone(), false),
        };
        let ok = self.threads.run("argon2", move || verify(&password, &phc)).await.unwrap_or(false);
        ok && real
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let phc = hash("correct horse battery").expect("hash");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse battery", &phc));
        assert!(!verify("correct horse batterY", &phc));
        assert!(!verify("anything", "not a phc string"));
    }

    #[tokio::test]
    async fn unknown_users_never_pass() {
        let checker = PasswordChecker::new(1).expect("checker");
        assert!(!checker.check("not a real password".into(), None).await);
        assert!(!checker.check("x".into(), Some(String::new())).await);
    }
}
