//! Access tokens: JWTs of at most 15 minutes signed with HS256 (pinned, never read from the
//! token) by a key named in the header's `kid`, typed `at+jwt` (RFC 9068), bound to one user, one
//! device identity and one login session of one county (`cty`), with issuer, audience, `nbf` and
//! `exp` checked.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use sync_protocol::ids::{DeviceId, UserId};

use super::keys::{KeyError, KeyRing};
use crate::store::sessions::SessionId;

pub const ISSUER: &str = "patrolsync";
pub const AUDIENCE: &str = "patrolsync-device";
/// The header `typ` of an access token (RFC 9068 §2.1).
const HEADER_TYPE: &str = "at+jwt";
const TOKEN_TYPE: &str = "access";
/// The longest access token lifetime the server will issue, seconds.
pub const MAX_ACCESS_TTL_S: i64 = 15 * 60;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claims {
    pub sub: String,
    pub dev: String,
    pub sid: String,
    /// The county whose store holds the session (absent from tokens issued before counties).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cty: String,
    pub iss: String,
    pub aud: String,
    pub typ: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
}

/// Whose token it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSubject {
    pub user: UserId,
    pub device: DeviceId,
    pub session: SessionId,
    /// The county's code (empty: a token issued before the deployment had counties).
    pub county: String,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the token is not valid: {0}")]
    Invalid(String),
}

/// Issues and checks tokens with the keys of one key file, re-read when it changes.
#[derive(Clone)]
pub struct Tokens {
    keys: Arc<RwLock<Arc<KeyRing>>>,
    file: Option<PathBuf>,
    validation: Validation,
    pub ttl_s: i64,
}

impl Tokens {
    /// Tokens signed with the keys of the file at `path` (made on first start).
    pub fn from_file(path: PathBuf, ttl_s: i64, now_s: i64) -> Result<Tokens, KeyError> {
        let ring = KeyRing::load_or_create(&path, now_s)?;
        Ok(Tokens { file: Some(path), ..Tokens::new(ring, ttl_s) })
    }

    /// Tokens signed with `ring`; the lifetime is capped at 15 minutes.
    pub fn new(ring: KeyRing, ttl_s: i64) -> Tokens {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        // `exp` and `nbf` are required here but compared in `check`, with the server's injected
        // clock: the one that issued the token, so no leeway is needed.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.leeway = 0;
        Tokens { keys: Arc::new(RwLock::new(Arc::new(ring))), file: None, validation, ttl_s: ttl_s.clamp(1, MAX_ACCESS_TTL_S) }
    }

    /// Re-reads the key file (after `patrolsync-server keys rotate`). A file that no longer
    /// reads leaves the keys as they were.
    pub fn reload(&self, now_s: i64) -> Result<(), KeyError> {
        let Some(path) = &self.file else { return Ok(()) };
        let ring = KeyRing::load_or_create(path, now_s)?;
        *self.keys.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(ring);
        Ok(())
    }

    fn ring(&self) -> Arc<KeyRing> {
        self.keys.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// The `kid` that signs new tokens.
    pub fn current_kid(&self) -> String {
        self.ring().current.kid.clone()
    }

    /// A token for `subject` issued at `now_s` (Unix seconds); returns it and its expiry.
    pub fn issue(&self, subject: &TokenSubject, now_s: i64) -> Result<(String, i64), TokenError> {
        let exp = now_s + self.ttl_s;
        let claims = Claims {
            sub: subject.user.to_string(),
            dev: subject.device.to_string(),
            sid: subject.session.to_string(),
            cty: subject.county.clone(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            typ: TOKEN_TYPE.into(),
            iat: now_s,
            nbf: now_s,
            exp,
        };
        let ring = self.ring();
        let mut header = Header::new(Algorithm::HS256);
        header.typ = Some(HEADER_TYPE.into());
        header.kid = Some(ring.current.kid.clone());
        let key = EncodingKey::from_secret(&ring.current.secret);
        let token = encode(&header, &claims, &key).map_err(|e| TokenError::Invalid(e.to_string()))?;
        Ok((token, exp))
    }

    /// Checks `token` at `now_s` (Unix seconds): valid from its `nbf` to its `exp`, inclusive.
    pub fn check(&self, token: &str, now_s: i64) -> Result<TokenSubject, TokenError> {
        let invalid = |why: &str| TokenError::Invalid(why.into());
        let header = decode_header(token).map_err(|e| TokenError::Invalid(e.to_string()))?;
        if header.alg != Algorithm::HS256 {
            return Err(invalid("unexpected algorithm"));
        }
        if header.typ.as_deref() != Some(HEADER_TYPE) {
            return Err(invalid("not an access token"));
        }
        let kid = header.kid.ok_or_else(|| invalid("no key id"))?;
        let ring = self.ring();
        let key = ring.find(&kid).ok_or_else(|| invalid("unknown key id"))?;
        let data = decode::<Claims>(token, &DecodingKey::from_secret(&key.secret), &self.validation)
            .map_err(|e| TokenError::Invalid(e.to_string()))?;
        let c = data.claims;
        if c.typ != TOKEN_TYPE {
            return Err(invalid("not an access token"));
        }
        if c.exp - c.iat > MAX_ACCESS_TTL_S || c.exp <= c.nbf {
            return Err(invalid("lifetime out of range"));
        }
        if c.exp < now_s {
            return Err(invalid("ExpiredSignature"));
        }
        if c.nbf > now_s {
            return Err(invalid("ImmatureSignature"));
        }
        let user = UserId::new(c.sub).map_err(|e| TokenError::Invalid(e.to_string()))?;
        let device = c.dev.parse().map_err(|e: sync_protocol::ValidationError| TokenError::Invalid(e.to_string()))?;
        let session = c.sid.parse().map_err(|_| invalid("bad session id"))?;
        Ok(TokenSubject { user, device, session, county: c.cty })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::auth::keys::SigningKey;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn ring(kid: &str, secret: &[u8]) -> KeyRing {
        let key = SigningKey { kid: kid.into(), secret: secret.to_vec() };
        KeyRing { current: key.clone(), all: vec![key] }
    }

    fn tokens() -> Tokens {
        Tokens::new(ring("k1", b"0123456789abcdef0123456789abcdef"), 900)
    }

    fn subject() -> TokenSubject {
        TokenSubject {
            user: UserId::new("vo-t01-v01").expect("user"),
            device: "0192f0c1-0000-7000-8000-0000000000aa".parse().expect("device"),
            session: SessionId::from_bytes([7; 16]),
            county: "yunshan".into(),
        }
    }

    /// Signs `claims` under `header` with `secret`, as a forger holding the key would.
    fn forge(header: serde_json::Value, claims: serde_json::Value, secret: &[u8]) -> String {
        let header: Header = serde_json::from_value(header).expect("header");
        encode(&header, &claims, &EncodingKey::from_secret(secret)).expect("encode")
    }

    fn claims(now: i64) -> serde_json::Value {
        serde_json::json!({
            "sub": "vo-t01-v01", "dev": "0192f0c1-0000-7000-8000-0000000000aa", "sid": SessionId::from_bytes([7; 16]).to_string(),
            "iss": ISSUER, "aud": AUDIENCE, "typ": "access", "iat": now, "nbf": now, "exp": now + 600
        })
    }

    #[test]
    fn a_fresh_token_names_its_user_device_session_and_key() {
        let t = tokens();
        let now = chrono::Utc::now().timestamp();
        let (token, exp) = t.issue(&subject(), now).expect("issue");
        assert_eq!(exp, now + 900);
        assert_eq!(t.check(&token, now).expect("valid"), subject());
        let header = decode_header(&token).expect("header");
        assert_eq!((header.kid.as_deref(), header.typ.as_deref()), (Some("k1"), Some("at+jwt")));
    }

    #[test]
    fn a_token_is_valid_from_its_issue_to_its_expiry_on_the_clock_it_is_checked_with() {
        let t = tokens();
        let issued = 1_765_324_800; // 2025-12-10 00:00 UTC
        let (token, exp) = t.issue(&subject(), issued).expect("issue");
        assert!(t.check(&token, issued - 1).is_err(), "not before it was issued");
        assert!(t.check(&token, issued).is_ok());
        assert!(t.check(&token, exp).is_ok(), "still valid at its expiry second");
        assert!(t.check(&token, exp + 1).is_err(), "expired a second later");
    }

    #[test]
    fn lifetimes_are_capped_at_fifteen_minutes() {
        let t = Tokens::new(ring("k1", b"0123456789abcdef0123456789abcdef"), 86_400);
        assert_eq!(t.ttl_s, 900);
        let now = chrono::Utc::now().timestamp();
        let mut long = claims(now);
        long["exp"] = (now + 3_600).into();
        let token = forge(serde_json::json!({"alg": "HS256", "typ": "at+jwt", "kid": "k1"}), long, b"0123456789abcdef0123456789abcdef");
        assert!(t.check(&token, now).is_err(), "an hour-long token, even correctly signed, is refused");
    }

    #[test]
    fn every_claim_and_header_field_is_checked() {
        let t = tokens();
        let secret = b"0123456789abcdef0123456789abcdef";
        let now = chrono::Utc::now().timestamp();
        let good_header = serde_json::json!({"alg": "HS256", "typ": "at+jwt", "kid": "k1"});
        assert!(t.check(&forge(good_header.clone(), claims(now), secret), now).is_ok(), "the control case passes");
        let with = |field: &str, value: serde_json::Value| {
            let mut c = claims(now);
            c[field] = value;
            forge(good_header.clone(), c, secret)
        };
        let without = |field: &str| {
            let mut c = claims(now);
            c.as_object_mut().expect("object").remove(field);
            forge(good_header.clone(), c, secret)
        };
        for (what, token) in [
            ("expired", with("exp", (now - 1).into())),
            ("not yet valid", with("nbf", (now + 60).into())),
            ("other audience", with("aud", "someone-else".into())),
            ("other issuer", with("iss", "someone-else".into())),
            ("a refresh-typed claim", with("typ", "refresh".into())),
            ("no exp", without("exp")),
            ("no nbf", without("nbf")),
            ("no aud", without("aud")),
            ("no sid", without("sid")),
            ("bad device", with("dev", "not-a-uuid".into())),
            ("unknown claim", with("role", "admin".into())),
            ("header typ JWT", forge(serde_json::json!({"alg": "HS256", "typ": "JWT", "kid": "k1"}), claims(now), secret)),
            ("no kid", forge(serde_json::json!({"alg": "HS256", "typ": "at+jwt"}), claims(now), secret)),
            ("unknown kid", forge(serde_json::json!({"alg": "HS256", "typ": "at+jwt", "kid": "k9"}), claims(now), secret)),
            ("HS512", forge(serde_json::json!({"alg": "HS512", "typ": "at+jwt", "kid": "k1"}), claims(now), secret)),
            ("another key", forge(good_header.clone(), claims(now), b"another secret of thirty-two byt")),
        ] {
            assert!(t.check(&token, now).is_err(), "{what} must be refused");
        }
        // alg=none with the same claims: the algorithm is pinned, so this must fail.
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"at+jwt","kid":"k1"}"#);
        let body = URL_SAFE_NO_PAD.encode(claims(now).to_string());
        assert!(t.check(&format!("{header}.{body}."), now).is_err(), "alg none");
        assert!(t.check("garbage", now).is_err());
    }

    #[test]
    fn after_a_rotation_new_tokens_use_the_new_key_and_old_ones_still_verify() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("token-keys.json");
        let t = Tokens::from_file(path.clone(), 900, 1_790_000_000).expect("tokens");
        let now = chrono::Utc::now().timestamp();
        let (old, _) = t.issue(&subject(), now).expect("issue");
        let new_kid = KeyRing::rotate(&path, now).expect("rotate");
        t.reload(now).expect("reload");
        assert_eq!(t.current_kid(), new_kid);
        let (new, _) = t.issue(&subject(), now).expect("issue");
        assert_eq!(decode_header(&new).expect("header").kid, Some(new_kid));
        assert!(t.check(&old, now).is_ok() && t.check(&new, now).is_ok());
    }
}
