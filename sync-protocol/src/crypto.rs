//! Hashes and signatures as they appear on the wire: SHA-256 in lower-case hex, Ed25519
//! signatures and public keys in unpadded base64url.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

use crate::error::ValidationError;

/// A SHA-256 digest. Wire form: 64 lower-case hex digits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    /// The `prev` of a device's first event.
    pub const ZERO: Hash = Hash([0; 32]);

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", &self.to_hex()[..12])
    }
}

impl FromStr for Hash {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Lower-case only: one spelling per value.
        if s.len() != 64 || !s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(ValidationError::BadHash(crate::ids::truncate(s)));
        }
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).map_err(|_| ValidationError::BadHash(crate::ids::truncate(s)))?;
        Ok(Hash(out))
    }
}

impl Serialize for Hash {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Hash {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// An Ed25519 signature. Wire form: 86 characters of unpadded base64url.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Sig(pub [u8; 64]);

impl fmt::Debug for Sig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sig({}…)", &URL_SAFE_NO_PAD.encode(self.0)[..10])
    }
}

impl Serialize for Sig {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&URL_SAFE_NO_PAD.encode(self.0))
    }
}

impl<'de> Deserialize<'de> for Sig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        let mut out = [0u8; 64];
        match URL_SAFE_NO_PAD.decode_slice(s.as_bytes(), &mut out) {
            Ok(64) if s.len() == 86 => Ok(Sig(out)),
            _ => Err(serde::de::Error::custom(ValidationError::BadSignatureEncoding)),
        }
    }
}

/// A device's (or the server's) Ed25519 public key. Wire form: 43 characters of unpadded base64url.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(pub VerifyingKey);

impl PublicKey {
    pub fn to_base64(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0.as_bytes())
    }

    /// Checks `sig` over the 32 bytes of `hash`.
    pub fn verify(&self, hash: &Hash, sig: &Sig) -> bool {
        self.verify_bytes(&hash.0, sig)
    }

    /// Checks `sig` over `message` (a signed text such as a log checkpoint).
    pub fn verify_bytes(&self, message: &[u8], sig: &Sig) -> bool {
        self.0.verify(message, &ed25519_dalek::Signature::from_bytes(&sig.0)).is_ok()
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.to_base64())
    }
}

impl FromStr for PublicKey {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut out = [0u8; 32];
        match URL_SAFE_NO_PAD.decode_slice(s.as_bytes(), &mut out) {
            Ok(32) if s.len() == 43 => VerifyingKey::from_bytes(&out).map(PublicKey).map_err(|_| ValidationError::BadPublicKey),
            _ => Err(ValidationError::BadPublicKey),
        }
    }
}

impl Serialize for PublicKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_base64())
    }
}

impl<'de> Deserialize<'de> for PublicKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A signing key held by one device identity (or the server). The caller supplies the 32 secret
/// bytes (from a CSPRNG, or from storage); this crate never makes randomness itself.
#[derive(Clone)]
pub struct DeviceKey(SigningKey);

impl DeviceKey {
    pub fn from_secret(secret: [u8; 32]) -> Self {
        DeviceKey(SigningKey::from_bytes(&secret))
    }

    pub fn secret(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    pub fn sign(&self, hash: &Hash) -> Sig {
        self.sign_bytes(&hash.0)
    }

    /// Signs `message` itself. Events sign their 32-byte hash; every other signed text is longer,
    /// so the two can never be taken for each other.
    pub fn sign_bytes(&self, message: &[u8]) -> Sig {
        Sig(self.0.sign(message).to_bytes())
    }
}

impl fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeviceKey(public {}, secret redacted)", self.public().to_base64())
    }
}

/// Verifies many `(key, hash, sig)` triples at once, which is about twice as fast as one by one.
/// Returns `true` only if every signature is valid; on `false`, check one by one to find which.
pub fn verify_batch(items: &[(PublicKey, Hash, Sig)]) -> bool {
    if items.is_empty() {
        return true;
    }
    let messages: Vec<&[u8]> = items.iter().map(|(_, h, _)| &h.0[..]).collect();
    let sigs: Vec<ed25519_dalek::Signature> = items.iter().map(|(_, _, s)| ed25519_dalek::Signature::from_bytes(&s.0)).collect();
    let keys: Vec<VerifyingKey> = items.iter().map(|(k, _, _)| k.0).collect();
    ed25519_dalek::verify_batch(&messages, &sigs, &keys).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_have_one_spelling() {
        let h = Hash([0xab; 32]);
        assert_eq!(h.to_hex().parse::<Hash>().ok(), Some(h));
        assert!(h.to_hex().to_uppercase().parse::<Hash>().is_err());
        assert!("../../etc/passwd".parse::<Hash>().is_err());
    }

    #[test]
    fn signatures_verify_only_for_their_hash_and_key() {
        let key = DeviceKey::from_secret([7; 32]);
        let other = DeviceKey::from_secret([8; 32]);
        let h = Hash([1; 32]);
        let sig = key.sign(&h);
        assert!(key.public().verify(&h, &sig));
        assert!(!key.public().verify(&Hash([2; 32]), &sig));
        assert!(!other.public().verify(&h, &sig));
        assert!(verify_batch(&[(key.public(), h, sig)]));
        assert!(!verify_batch(&[(key.public(), h, sig), (other.public(), h, sig)]));
    }

    #[test]
    fn keys_and_signatures_round_trip_through_their_wire_form() {
        let key = DeviceKey::from_secret([9; 32]);
        let pk: PublicKey = key.public().to_base64().parse().expect("public key");
        assert_eq!(pk, key.public());
        let sig = key.sign(&Hash::ZERO);
        let text = serde_json::to_string(&sig).expect("json");
        assert_eq!(text.len(), 88);
        assert_eq!(serde_json::from_str::<Sig>(&text).ok(), Some(sig));
        assert!(format!("{key:?}").contains("redacted"));
    }
}
