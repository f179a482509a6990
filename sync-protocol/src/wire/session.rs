//! The session half of the API: the proof that a login comes from the phone holding a device's
//! key, and `POST /v1/auth/refresh` (rotating refresh tokens; docs/protocol.md §1.2).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::crypto::{DeviceKey, Hash, PublicKey, Sig};
use crate::hlc::Hlc;
use crate::ids::DeviceId;

/// How far a login proof's time may be from the server's clock, milliseconds.
pub const LOGIN_PROOF_WINDOW_MS: i64 = 5 * 60 * 1_000;

/// A login's proof that the phone holds the device key it names: the key's signature over the
/// username, the device id and the time. A phone that proves it logs in on its own budget of
/// failed attempts, which a stranger guessing the password cannot spend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginProof {
    /// When the proof was made, Unix ms.
    pub at: i64,
    pub sig: Sig,
}

impl LoginProof {
    /// The device's proof for logging `username` in at `at_ms`.
    pub fn sign(key: &DeviceKey, username: &str, device: DeviceId, at_ms: i64) -> LoginProof {
        LoginProof { at: at_ms, sig: key.sign(&proof_hash(username, device, at_ms)) }
    }

    /// Whether this proof was made by `key` for `username` on `device`, within the window of
    /// `now_ms`.
    pub fn holds(&self, key: &PublicKey, username: &str, device: DeviceId, now_ms: i64) -> bool {
        (self.at - now_ms).abs() <= LOGIN_PROOF_WINDOW_MS && key.verify(&proof_hash(username, device, self.at), &self.sig)
    }
}

/// What a login proof signs: a domain prefix, then the username, device id and time, one a line.
fn proof_hash(username: &str, device: DeviceId, at_ms: i64) -> Hash {
    let text = format!("patrolsync/login-proof/v1\n{username}\n{device}\n{at_ms}");
    Hash(Sha256::digest(text.as_bytes()).into())
}

/// `POST /v1/auth/refresh`: spends a refresh token for a new access token and its successor.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// The reply to a refresh: a new access token and the refresh token to use next time (the one
/// sent is spent; sending it again revokes the session).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RefreshResponse {
    pub access_token: String,
    pub token_type: String,
    /// Unix milliseconds.
    pub expires_at: i64,
    pub refresh_token: String,
    /// Unix milliseconds.
    pub refresh_expires_at: i64,
    pub hlc: Hlc,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proof_holds_for_its_key_user_device_and_time_only() {
        let key = DeviceKey::from_secret([3; 32]);
        let other = DeviceKey::from_secret([4; 32]);
        let device: DeviceId = "0192f0c1-0000-7000-8000-0000000000aa".parse().expect("device");
        let proof = LoginProof::sign(&key, "vo-t01-v01", device, 1_000_000);
        assert!(proof.holds(&key.public(), "vo-t01-v01", device, 1_000_000 + LOGIN_PROOF_WINDOW_MS));
        assert!(!proof.holds(&key.public(), "vo-t01-v01", device, 1_000_001 + LOGIN_PROOF_WINDOW_MS), "too old");
        assert!(!proof.holds(&other.public(), "vo-t01-v01", device, 1_000_000), "another key");
        assert!(!proof.holds(&key.public(), "vo-t01-v02", device, 1_000_000), "another user");
        let elsewhere: DeviceId = "0192f0c1-0000-7000-8000-0000000000ab".parse().expect("device");
        assert!(!proof.holds(&key.public(), "vo-t01-v01", elsewhere, 1_000_000), "another device");
    }
}
