//! Login sessions and their rotating refresh tokens (RFC 9700 §4.14.2): every refresh spends the
//! token and issues its successor; presenting a spent one again revokes the whole session, except
//! for a short grace when the successor was lost on a weak link and never used.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

/// A login session: one login of one user on one device, and every token refreshed from it.
/// Access tokens carry it (`sid`), so ending the session ends them at their next request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SessionId([u8; 16]);

impl SessionId {
    pub fn from_bytes(bytes: [u8; 16]) -> SessionId {
        SessionId(bytes)
    }

    pub fn random() -> SessionId {
        let mut bytes = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        SessionId(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl FromStr for SessionId {
    type Err = hex::FromHexError;
    fn from_str(s: &str) -> Result<SessionId, hex::FromHexError> {
        let mut bytes = [0u8; 16];
        hex::decode_to_slice(s, &mut bytes)?;
        Ok(SessionId(bytes))
    }
}

/// A refresh token as the device holds it: 32 random bytes, base64url. The server keeps only
/// its SHA-256.
#[derive(Clone, PartialEq, Eq)]
pub struct RefreshToken(String);

impl fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RefreshToken(…)")
    }
}

impl RefreshToken {
    pub fn random() -> RefreshToken {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        RefreshToken(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// What the device sent; any string is accepted here and simply finds no row if forged.
    pub fn presented(text: String) -> RefreshToken {
        RefreshToken(text)
    }

    pub fn secret(&self) -> &str {
        &self.0
    }

    /// The key the server stores and looks the token up by.
    pub fn digest(&self) -> [u8; 32] {
        Sha256::digest(self.0.as_bytes()).into()
    }
}

/// A stored refresh token, as the decision needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenRow {
    pub generation: u32,
    pub expires_at_ms: i64,
    /// When it was spent on a refresh.
    pub used_at_ms: Option<i64>,
    /// Replaced, unused, by a refresh inside the grace.
    pub superseded: bool,
}

/// Its session, as the decision needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionRow {
    pub revoked: bool,
    pub expires_at_ms: i64,
    /// The newest generation that has been spent, if any.
    pub last_used_generation: Option<u32>,
}

/// What to do with a presented refresh token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshDecision {
    /// Spend it and issue the next generation.
    Rotate,
    /// It was spent moments ago and its successor never used: the reply was lost. Supersede the
    /// unused successor and issue a new one.
    RotateAgain,
    /// A spent or superseded token came back: someone else holds a copy. Revoke the session.
    Reuse,
    /// The session was ended (logout, reuse, admin) or has run out.
    Ended,
}

/// The refresh rule, pure: `grace_ms` is how long a spent token may be presented again.
pub fn decide(token: TokenRow, session: SessionRow, now_ms: i64, grace_ms: i64) -> RefreshDecision {
    if session.revoked || now_ms >= session.expires_at_ms {
        return RefreshDecision::Ended;
    }
    match token.used_at_ms {
        None if !token.superseded && now_ms < token.expires_at_ms => RefreshDecision::Rotate,
        None if !token.superseded => RefreshDecision::Ended,
        Some(used) if now_ms - used <= grace_ms && session.last_used_generation == Some(token.generation) => RefreshDecision::RotateAgain,
        _ => RefreshDecision::Reuse,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const GRACE: i64 = 30_000;

    fn fresh(generation: u32) -> TokenRow {
        TokenRow { generation, expires_at_ms: 1_000_000, used_at_ms: None, superseded: false }
    }

    fn live(last_used: Option<u32>) -> SessionRow {
        SessionRow { revoked: false, expires_at_ms: 2_000_000, last_used_generation: last_used }
    }

    #[test]
    fn an_unused_token_rotates_and_a_spent_one_revokes_the_session() {
        assert_eq!(decide(fresh(0), live(None), 10, GRACE), RefreshDecision::Rotate);
        let spent = TokenRow { used_at_ms: Some(10), ..fresh(0) };
        assert_eq!(decide(spent, live(Some(1)), 10 + GRACE + 1, GRACE), RefreshDecision::Reuse, "after the grace");
        assert_eq!(decide(spent, live(Some(1)), 20, GRACE), RefreshDecision::Reuse, "its successor was used: a copy");
    }

    #[test]
    fn a_lost_reply_may_be_retried_within_the_grace() {
        let spent = TokenRow { used_at_ms: Some(10), ..fresh(3) };
        assert_eq!(decide(spent, live(Some(3)), 10 + GRACE, GRACE), RefreshDecision::RotateAgain);
        let superseded = TokenRow { superseded: true, ..fresh(4) };
        assert_eq!(decide(superseded, live(Some(3)), 20, GRACE), RefreshDecision::Reuse, "the lost successor coming back is a copy");
    }

    #[test]
    fn ended_and_expired_sessions_and_tokens_refresh_nothing() {
        assert_eq!(decide(fresh(0), SessionRow { revoked: true, ..live(None) }, 10, GRACE), RefreshDecision::Ended);
        assert_eq!(decide(fresh(0), live(None), 2_000_000, GRACE), RefreshDecision::Ended);
        assert_eq!(decide(fresh(0), live(None), 1_000_000, GRACE), RefreshDecision::Ended, "the token itself ran out");
    }

    #[test]
    fn tokens_are_random_and_stored_only_as_digests() {
        let (a, b) = (RefreshToken::random(), RefreshToken::random());
        assert_ne!(a, b);
        assert_eq!(a.secret().len(), 43);
        assert_eq!(RefreshToken::presented(a.secret().to_owned()).digest(), a.digest());
        assert!(!format!("{a:?}").contains(a.secret()), "never logged");
        let id = SessionId::random();
        assert_eq!(id.to_string().parse::<SessionId>().expect("parse"), id);
    }

    proptest! {
        /// Nothing but an unused, unsuperseded, unexpired token of a live session, or the newest
        /// spent one within the grace, ever yields a new token.
        #[test]
        fn only_the_rightful_holder_gets_a_new_token(
            generation in 0u32..5, last in proptest::option::of(0u32..5), used in proptest::option::of(0i64..100_000),
            superseded: bool, revoked: bool, now in 0i64..3_000_000,
        ) {
            let token = TokenRow { generation, expires_at_ms: 1_000_000, used_at_ms: used, superseded };
            let session = SessionRow { revoked, expires_at_ms: 2_000_000, last_used_generation: last };
            let issues = matches!(decide(token, session, now, GRACE), RefreshDecision::Rotate | RefreshDecision::RotateAgain);
            let rightful = !revoked && now < 2_000_000 && match used {
                None => !superseded && now < 1_000_000,
                Some(u) => now - u <= GRACE && last == Some(generation),
            };
            prop_assert_eq!(issues, rightful);
        }
    }
}
