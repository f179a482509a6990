//! The keys that sign access tokens: a small JSON file, made on first start readable by the
//! server's user only (or named in the configuration), each key with a `kid`; rotation adds a
//! key that signs from then on while the previous ones still verify until their tokens expire.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Keys kept in the file after a rotation: the new one and the two before it, so tokens signed
/// just before a rotation stay valid for their last minutes.
const KEEP: usize = 3;
/// Shortest secret accepted, bytes (HS256 wants at least the hash's 32).
const MIN_SECRET_BYTES: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read or write the token key file {0}")]
    Io(PathBuf, #[source] std::io::Error),
    #[error("the token key file {0} is readable by other users (mode {1:o}): run `chmod 600` on it")]
    Exposed(PathBuf, u32),
    #[error("the token key file {0} is not valid: {1}")]
    Invalid(PathBuf, String),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    /// The `kid` of the key that signs new tokens.
    current: String,
    keys: Vec<StoredKey>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredKey {
    kid: String,
    /// base64url without padding.
    secret: String,
    /// Unix seconds.
    created_at: i64,
}

/// One signing key.
#[derive(Clone)]
pub struct SigningKey {
    pub kid: String,
    pub secret: Vec<u8>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.kid)
    }
}

/// The keys of one file: the current one signs, all of them verify.
#[derive(Debug, Clone)]
pub struct KeyRing {
    pub current: SigningKey,
    pub all: Vec<SigningKey>,
}

impl KeyRing {
    /// Reads the key file at `path`, making it with one new key (made at `now_s`) when there is none.
    pub fn load_or_create(path: &Path, now_s: i64) -> Result<KeyRing, KeyError> {
        if !path.exists() {
            let file = KeyFile { current: String::new(), keys: Vec::new() };
            write(path, &with_new_key(file, now_s))?;
        }
        read(path)
    }

    /// Adds a new key to the file at `path` and makes it the one that signs; returns its `kid`.
    /// A running server picks it up within its reload interval.
    pub fn rotate(path: &Path, now_s: i64) -> Result<String, KeyError> {
        let file = load(path)?;
        ring(path, &file)?;
        let file = with_new_key(file, now_s);
        write(path, &file)?;
        Ok(file.current)
    }

    pub fn find(&self, kid: &str) -> Option<&SigningKey> {
        self.all.iter().find(|k| k.kid == kid)
    }
}

fn with_new_key(mut file: KeyFile, now_s: i64) -> KeyFile {
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let mut id = [0u8; 6];
    rand::rngs::OsRng.fill_bytes(&mut id);
    let kid = format!("k{}-{}", now_s, hex::encode(id));
    file.keys.push(StoredKey { kid: kid.clone(), secret: URL_SAFE_NO_PAD.encode(secret), created_at: now_s });
    let excess = file.keys.len().saturating_sub(KEEP);
    file.keys.drain(..excess);
    file.current = kid;
    file
}

fn read(path: &Path) -> Result<KeyRing, KeyError> {
    ring(path, &load(path)?)
}

/// The file at `path`, refused if others may read it or it does not parse.
fn load(path: &Path) -> Result<KeyFile, KeyError> {
    check_private(path)?;
    let text = std::fs::read_to_string(path).map_err(|e| KeyError::Io(path.into(), e))?;
    serde_json::from_str(&text).map_err(|e| KeyError::Invalid(path.into(), e.to_string()))
}

/// The keys of `file`, each checked: decodable, long enough, named once; the current one present.
fn ring(path: &Path, file: &KeyFile) -> Result<KeyRing, KeyError> {
    let invalid = |why: String| KeyError::Invalid(path.into(), why);
    let mut all = Vec::with_capacity(file.keys.len());
    for key in &file.keys {
        let secret = URL_SAFE_NO_PAD.decode(&key.secret).map_err(|e| invalid(format!("key {}: {e}", key.kid)))?;
        if secret.len() < MIN_SECRET_BYTES {
            return Err(invalid(format!("key {} has {} bytes; at least {MIN_SECRET_BYTES} are needed", key.kid, secret.len())));
        }
        if key.kid.is_empty() || all.iter().any(|k: &SigningKey| k.kid == key.kid) {
            return Err(invalid(format!("key id {:?} is empty or repeated", key.kid)));
        }
        all.push(SigningKey { kid: key.kid.clone(), secret });
    }
    let current = all.iter().find(|k| k.kid == file.current).cloned().ok_or_else(|| invalid(format!("no key {:?}", file.current)))?;
    Ok(KeyRing { current, all })
}

/// Writes the file readable and writable by its owner only: a temporary file made with mode
/// 0600, synced, then renamed over the old one.
fn write(path: &Path, file: &KeyFile) -> Result<(), KeyError> {
    let io = |e| KeyError::Io(path.into(), e);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let text = serde_json::to_string_pretty(file).map_err(|e| KeyError::Invalid(path.into(), e.to_string()))?;
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut out = options.open(&tmp).map_err(io)?;
    out.write_all(text.as_bytes()).map_err(io)?;
    out.sync_all().map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)?;
    Ok(())
}

/// Refuses a key file that users other than its owner may read or write.
fn check_private(path: &Path) -> Result<(), KeyError> {
    let meta = std::fs::metadata(path).map_err(|e| KeyError::Io(path.into(), e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(KeyError::Exposed(path.into(), mode));
        }
    }
    let _ = meta;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_start_makes_a_private_file_and_later_starts_read_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("keys").join("token-keys.json");
        let made = KeyRing::load_or_create(&path, 1_790_000_000).expect("made");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777, 0o600);
        }
        let again = KeyRing::load_or_create(&path, 1_790_000_000).expect("read");
        assert_eq!(again.current.kid, made.current.kid);
        assert_eq!(again.current.secret, made.current.secret);
        assert_eq!(made.current.secret.len(), 32);
    }

    #[test]
    fn rotation_adds_a_signing_key_and_keeps_the_last_three() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("token-keys.json");
        let first = KeyRing::load_or_create(&path, 1_790_000_000).expect("made").current.kid;
        let second = KeyRing::rotate(&path, 1).expect("rotated");
        let ring = KeyRing::load_or_create(&path, 1_790_000_000).expect("read");
        assert_eq!(ring.current.kid, second);
        assert!(ring.find(&first).is_some(), "the old key still verifies");
        KeyRing::rotate(&path, 2).expect("rotated");
        KeyRing::rotate(&path, 3).expect("rotated");
        let ring = KeyRing::load_or_create(&path, 1_790_000_000).expect("read");
        assert_eq!(ring.all.len(), 3);
        assert!(ring.find(&first).is_none(), "the oldest is dropped");
    }

    #[cfg(unix)]
    #[test]
    fn a_file_others_can_read_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("token-keys.json");
        KeyRing::load_or_create(&path, 1_790_000_000).expect("made");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        assert!(matches!(KeyRing::load_or_create(&path, 1_790_000_000), Err(KeyError::Exposed(_, 0o644))));
    }

    #[test]
    fn short_secrets_and_dangling_current_keys_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("token-keys.json");
        let short = KeyFile {
            current: "a".into(),
            keys: vec![StoredKey { kid: "a".into(), secret: URL_SAFE_NO_PAD.encode([1u8; 16]), created_at: 0 }],
        };
        write(&path, &short).expect("write");
        assert!(matches!(KeyRing::load_or_create(&path, 1_790_000_000), Err(KeyError::Invalid(..))));
        let dangling = KeyFile {
            current: "b".into(),
            keys: vec![StoredKey { kid: "a".into(), secret: URL_SAFE_NO_PAD.encode([1u8; 32]), created_at: 0 }],
        };
        write(&path, &dangling).expect("write");
        assert!(matches!(KeyRing::load_or_create(&path, 1_790_000_000), Err(KeyError::Invalid(..))));
    }
}
