//! Device identities: one per officer who has logged in on this phone, each with its own device
//! id, signing key, chain head, clock and token. The active one is the officer using the phone.

use std::fmt;

use rusqlite::{Connection, OptionalExtension, Row, params};
use sync_protocol::body::Role;
use sync_protocol::crypto::{DeviceKey, Hash};
use sync_protocol::hlc::Hlc;
use sync_protocol::ids::{DeviceId, UserId};

use super::ReplicaError;

/// A bearer token and when it stops being accepted (Unix ms).
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken {
    pub secret: String,
    pub expires_at: i64,
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccessToken(redacted, expires_at {})", self.expires_at)
    }
}

/// How an identity reaches its server, as given at login and remembered with it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transport {
    /// The county CA's certificates (PEM), trusted beside the system's roots.
    pub ca_pem: Option<String>,
    /// Plain `http://` allowed to a host other than this phone (`--allow-plain-http`).
    pub allow_plain_http: bool,
}

/// One officer's identity on this phone.
#[derive(Debug, Clone)]
pub struct Identity {
    pub device_id: DeviceId,
    /// The name typed at login on this phone.
    pub username: String,
    /// The user id the server answered with: the `author` of this identity's events.
    pub user: UserId,
    pub key: DeviceKey,
    pub server_url: String,
    /// The CA and plain-HTTP choice the last login gave for `server_url`.
    pub transport: Transport,
    pub token: Option<AccessToken>,
    pub role: Role,
    pub display_name: String,
    pub next_seq: u64,
    pub head: Hash,
    pub hlc: Hlc,
    pub last_sync_at: Option<i64>,
    pub last_error: Option<String>,
    pub last_error_at: Option<i64>,
}

impl Identity {
    /// Whether the token will still be accepted at `now_ms`.
    pub fn has_valid_token(&self, now_ms: i64) -> bool {
        self.token.as_ref().is_some_and(|t| t.expires_at > now_ms)
    }
}

const COLUMNS: &str = "device_id, username, user_id, secret_key, server_url, access_token, token_expires_at, role, display_name, \
                       next_seq, head_hash, hlc, last_sync_at, last_error, last_error_at, ca_pem, allow_plain_http";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Result<Identity, ReplicaError>> {
    let device: String = row.get(0)?;
    let secret: Vec<u8> = row.get(3)?;
    let token: Option<String> = row.get(5)?;
    let expires: Option<i64> = row.get(6)?;
    let role: String = row.get(7)?;
    let head: String = row.get(10)?;
    let hlc: String = row.get(11)?;
    let user: String = row.get(2)?;
    let (username, server_url, display_name): (String, String, String) = (row.get(1)?, row.get(4)?, row.get(8)?);
    let (next_seq, last_sync_at, last_error, last_error_at): (i64, _, _, _) = (row.get(9)?, row.get(12)?, row.get(13)?, row.get(14)?);
    let transport = Transport { ca_pem: row.get(15)?, allow_plain_http: row.get(16)? };
    Ok((|| {
        let key: [u8; 32] = secret.try_into().map_err(|_| ReplicaError::corrupt("secret key")(bad("secret_key")))?;
        Ok(Identity {
            device_id: device.parse().map_err(ReplicaError::corrupt("device id"))?,
            username,
            user: UserId::new(user).map_err(ReplicaError::corrupt("user id"))?,
            key: DeviceKey::from_secret(key),
            server_url,
            transport,
            token: token.zip(expires).map(|(secret, expires_at)| AccessToken { secret, expires_at }),
            role: Role::parse(&role).ok_or_else(|| ReplicaError::corrupt("role")(bad("role")))?,
            display_name,
            next_seq: u64::try_from(next_seq).unwrap_or(1),
            head: head.parse().map_err(ReplicaError::corrupt("chain head"))?,
            hlc: hlc.parse().map_err(ReplicaError::corrupt("clock"))?,
            last_sync_at,
            last_error,
            last_error_at,
        })
    })())
}

fn bad(field: &'static str) -> sync_protocol::ValidationError {
    sync_protocol::ValidationError::Field { field, problem: "unreadable in the replica".into() }
}

fn query_one(conn: &Connection, filter: &str, param: &str) -> Result<Option<Identity>, ReplicaError> {
    let sql = format!("SELECT {COLUMNS} FROM identities WHERE {filter} = ?1");
    conn.query_row(&sql, [param], from_row).optional()?.transpose()
}

pub(crate) fn by_device(conn: &Connection, device: DeviceId) -> Result<Option<Identity>, ReplicaError> {
    query_one(conn, "device_id", &device.to_string())
}

pub(crate) fn by_username(conn: &Connection, username: &str) -> Result<Option<Identity>, ReplicaError> {
    query_one(conn, "username", username)
}

/// The identity of the officer using the phone now.
pub(crate) fn active(conn: &Connection) -> Result<Option<Identity>, ReplicaError> {
    let device: Option<String> = conn.query_row("SELECT value FROM settings WHERE key = 'active_identity'", [], |r| r.get(0)).optional()?;
    match device {
        Some(d) => query_one(conn, "device_id", &d),
        None => Ok(None),
    }
}

pub(crate) fn set_active(conn: &Connection, device: DeviceId) -> Result<(), ReplicaError> {
    conn.execute(
        "INSERT INTO settings (key, value) VALUES ('active_identity', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [device.to_string()],
    )?;
    Ok(())
}

/// Every identity on the phone, in the order they were created.
pub(crate) fn all(conn: &Connection) -> Result<Vec<Identity>, ReplicaError> {
    let sql = format!("SELECT {COLUMNS} FROM identities ORDER BY created_at, device_id");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([], from_row)?;
    rows.map(|r| r.map_err(ReplicaError::from).and_then(|i| i)).collect()
}

/// Writes a new identity or, for an existing device id, everything login may change.
pub(crate) fn save(conn: &Connection, id: &Identity, now_ms: i64) -> Result<(), ReplicaError> {
    let token = id.token.as_ref();
    conn.execute(
        "INSERT INTO identities (device_id, username, user_id, secret_key, server_url, access_token, token_expires_at, role, \
         display_name, next_seq, head_hash, hlc, created_at, ca_pem, allow_plain_http) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) \
         ON CONFLICT (device_id) DO UPDATE SET user_id = excluded.user_id, server_url = excluded.server_url, \
         ca_pem = excluded.ca_pem, allow_plain_http = excluded.allow_plain_http, \
         access_token = excluded.access_token, token_expires_at = excluded.token_expires_at, role = excluded.role, \
         display_name = excluded.display_name, hlc = max(hlc, excluded.hlc)",
        params![
            id.device_id.to_string(),
            id.username,
            id.user.as_str(),
            id.key.secret().to_vec(),
            id.server_url,
            token.map(|t| t.secret.clone()),
            token.map(|t| t.expires_at),
            id.role.as_str(),
            id.display_name,
            seq_i64(id.next_seq),
            id.head.to_hex(),
            id.hlc.to_string(),
            now_ms,
            id.transport.ca_pem,
            id.transport.allow_plain_http,
        ],
    )?;
    Ok(())
}

/// The refresh token of `device`'s session, if one is held.
pub(crate) fn refresh_token(conn: &Connection, device: DeviceId) -> Result<Option<AccessToken>, ReplicaError> {
    let row: Option<(Option<String>, Option<i64>)> = conn
        .query_row("SELECT refresh_token, refresh_expires_at FROM identities WHERE device_id = ?1", [device.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    Ok(row.and_then(|(secret, expires)| secret.zip(expires)).map(|(secret, expires_at)| AccessToken { secret, expires_at }))
}

/// Stores a session's tokens after a login or refresh; `None` forgets the refresh token (the
/// session has ended and a login is needed).
pub(crate) fn save_tokens(
    conn: &Connection,
    device: DeviceId,
    access: Option<&AccessToken>,
    refresh: Option<&AccessToken>,
) -> Result<(), ReplicaError> {
    conn.execute(
        "UPDATE identities SET access_token = ?2, token_expires_at = ?3, refresh_token = ?4, refresh_expires_at = ?5 WHERE device_id = ?1",
        params![
            device.to_string(),
            access.map(|t| t.secret.clone()),
            access.map(|t| t.expires_at),
            refresh.map(|t| t.secret.clone()),
            refresh.map(|t| t.expires_at)
        ],
    )?;
    Ok(())
}

/// Moves the chain on after an own event: next seq, head hash and clock.
pub(crate) fn advance(conn: &Connection, device: DeviceId, next_seq: u64, head: Hash, hlc: Hlc) -> Result<(), ReplicaError> {
    conn.execute(
        "UPDATE identities SET next_seq = ?2, head_hash = ?3, hlc = ?4 WHERE device_id = ?1",
        params![device.to_string(), seq_i64(next_seq), head.to_hex(), hlc.to_string()],
    )?;
    Ok(())
}

/// Moves the clock forward to `hlc` (never back: the wire form sorts as time does).
pub(crate) fn set_clock(conn: &Connection, device: DeviceId, hlc: Hlc) -> Result<(), ReplicaError> {
    conn.execute("UPDATE identities SET hlc = max(hlc, ?2) WHERE device_id = ?1", params![device.to_string(), hlc.to_string()])?;
    Ok(())
}

/// Records a successful sync: the time, and no error.
pub(crate) fn synced(conn: &Connection, device: DeviceId, now_ms: i64) -> Result<(), ReplicaError> {
    conn.execute(
        "UPDATE identities SET last_sync_at = ?2, last_error = NULL, last_error_at = NULL WHERE device_id = ?1",
        params![device.to_string(), now_ms],
    )?;
    Ok(())
}

/// Records why the last sync (or login) failed; the outbox is left as it was.
pub(crate) fn failed(conn: &Connection, device: DeviceId, message: &str, now_ms: i64) -> Result<(), ReplicaError> {
    conn.execute(
        "UPDATE identities SET last_error = ?2, last_error_at = ?3 WHERE device_id = ?1",
        params![device.to_string(), message, now_ms],
    )?;
    Ok(())
}

/// Seqs are at most `i64::MAX` in SQLite; a chain that long does not exist.
pub(crate) fn seq_i64(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}
