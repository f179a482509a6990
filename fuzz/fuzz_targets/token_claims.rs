//! Fuzzes access-token checking (`Tokens::check`). The first byte chooses: the rest as a whole
//! token (header, signature, encoding), or the rest as the claims of a token correctly signed
//! with the server's key (header `typ` at+jwt, `kid`), so that the claims decoder past the
//! signature is reached too.
#![no_main]

use jsonwebtoken::{Algorithm, EncodingKey};
use libfuzzer_sys::fuzz_target;
use patrolsync_server::service::auth::keys::{KeyRing, SigningKey};
use patrolsync_server::service::auth::token::Tokens;

const SECRET: &[u8] = b"fuzzing secret, thirty-two bytes";

/// The time tokens are checked at (Unix seconds): fixed, so that a run is reproducible.
const NOW_S: i64 = 1_790_000_000;

/// `claims` as the payload of an HS256 token signed with `SECRET`.
fn signed(claims: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let message = format!("{}.{}", b64.encode(br#"{"alg":"HS256","typ":"at+jwt","kid":"fuzz"}"#), b64.encode(claims));
    let sig = jsonwebtoken::crypto::sign(message.as_bytes(), &EncodingKey::from_secret(SECRET), Algorithm::HS256).expect("sign");
    format!("{message}.{sig}")
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let key = SigningKey { kid: "fuzz".into(), secret: SECRET.to_vec() };
    let tokens = Tokens::new(KeyRing { current: key.clone(), all: vec![key] }, 900);
    let token = if mode % 2 == 0 { String::from_utf8_lossy(rest).into_owned() } else { signed(rest) };
    if let Ok(subject) = tokens.check(&token, NOW_S) {
        // Only a token with every claim right passes; what it names is valid.
        assert!(!subject.user.as_str().is_empty());
    }
});
