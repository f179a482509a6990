//! Access tokens: JWTs signed with HS256 (the only algorithm accepted: pinned, never read from
//! the token), bound to one user and one device identity, with issuer, audience and expiry checked.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use sync_protocol::ids::{DeviceId, UserId};

pub const ISSUER: &str = "patrolsync";
pub const AUDIENCE: &str = "patrolsync-device";
const TOKEN_TYPE: &str = "access";

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Claims {
    sub: String,
    dev: String,
    iss: String,
    aud: String,
    typ: String,
    iat: i64,
    nbf: i64,
    exp: i64,
}

/// Whose token it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSubject {
    pub user: UserId,
    pub device: DeviceId,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the token is not valid: {0}")]
    Invalid(String),
}

/// Issues and checks tokens with one secret.
#[derive(Clone)]
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub ttl_s: i64,
}

impl Tokens {
    pub fn new(secret: &[u8], ttl_s: i64) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        // The server both issues and checks its tokens on one clock: no leeway is needed.
        validation.leeway = 0;
        Tokens { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret), validation, ttl_s }
    }

    /// A token for `subject` issued at `now_s` (Unix seconds); returns it and its expiry.
    pub fn issue(&self, subject: &TokenSubject, now_s: i64) -> Result<(String, i64), TokenError> {
        let exp = now_s + self.ttl_s;
        let claims = Claims {
            sub: subject.user.to_string(),
            dev: subject.device.to_string(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            typ: TOKEN_TYPE.into(),
            iat: now_s,
            nbf: now_s,
            exp,
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(|e| TokenError::Invalid(e.to_string()))?;
        Ok((token, exp))
    }

    pub fn check(&self, token: &str) -> Result<TokenSubject, TokenError> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation).map_err(|e| TokenError::Invalid(e.to_string()))?;
        let c = data.claims;
        if c.typ != TOKEN_TYPE {
            return Err(TokenError::Invalid("not an access token".into()));
        }
        let user = UserId::new(c.sub).map_err(|e| TokenError::Invalid(e.to_string()))?;
        let device = c.dev.parse().map_err(|e: sync_protocol::ValidationError| TokenError::Invalid(e.to_string()))?;
        Ok(TokenSubject { user, device })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn subject() -> TokenSubject {
        TokenSubject {
            user: UserId::new("vo-t01-v01").expect("user"),
            device: "0192f0c1-0000-7000-8000-0000000000aa".parse().expect("device"),
        }
    }

    #[test]
    fn a_fresh_token_names_its_user_and_device() {
        let t = Tokens::new(b"0123456789abcdef0123456789abcdef", 900);
        let now = chrono::Utc::now().timestamp();
        let (token, exp) = t.issue(&subject(), now).expect("issue");
        assert_eq!(exp, now + 900);
        assert_eq!(t.check(&token).expect("valid"), subject());
    }

    #[test]
    fn expired_foreign_and_unsigned_tokens_are_refused() {
        let t = Tokens::new(b"0123456789abcdef0123456789abcdef", 900);
        let now = chrono::Utc::now().timestamp();
        let (old, _) = t.issue(&subject(), now - 10_000).expect("issue");
        assert!(t.check(&old).is_err(), "expired");
        let other = Tokens::new(b"another secret of thirty-two byt", 900);
        let (foreign, _) = other.issue(&subject(), now).expect("issue");
        assert!(t.check(&foreign).is_err(), "signed with another key");
        // alg=none with the same claims: the algorithm is pinned, so this must fail.
        let (good, _) = t.issue(&subject(), now).expect("issue");
        let claims = good.split('.').nth(1).expect("claims");
        let header = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        assert!(t.check(&format!("{header}.{claims}.")).is_err(), "alg none");
        assert!(t.check("garbage").is_err());
    }
}
