//! Logging an officer in on this phone: the first login of a username creates its identity (a
//! random UUIDv7 device id and an Ed25519 key from the OS RNG); later logins reuse it, so the
//! same chain and outbox continue under the same author after days offline.

use rand::RngCore;
use rand::rngs::OsRng;
use rusqlite::TransactionBehavior;
use sync_protocol::crypto::{DeviceKey, Hash};
use sync_protocol::hlc::Hlc;
use sync_protocol::ids::DeviceId;
use sync_protocol::wire::session::LoginProof;
use sync_protocol::wire::{DeviceEnrolment, LoginRequest, LoginResponse};
use uuid::Uuid;

use super::{Api, SyncError};
use crate::replica::clock::hlc_ms;
use crate::replica::projection::FoldMembers;
use crate::replica::{AccessToken, Identity, Replica, Transport, identity, outbox, projection};

/// Logs `username` in at `server_url` and makes their identity the active one; an identity that
/// logged in before keeps the CA and plain-HTTP choice it was given then.
pub async fn login(replica: &mut Replica, server_url: &str, username: &str, password: &str) -> Result<Identity, SyncError> {
    let transport = replica.identity_for(username)?.map(|id| id.transport).unwrap_or_default();
    login_with(replica, server_url, &transport, Account { username, county: None }, password, None).await
}

/// Who logs in: a username, and in a deployment of several counties the code of theirs.
#[derive(Debug, Clone, Copy)]
pub struct Account<'a> {
    pub username: &'a str,
    pub county: Option<&'a str>,
}

/// Logs `account` in at `server_url` reached through `transport` (the county CA, plain HTTP
/// allowed or not), which the identity remembers for its later syncs; with `new_password`,
/// replacing the password in the same request: what a login with a one-time password needs (the
/// server refuses it with `password_change_required` otherwise). A URL the transport refuses
/// (plain HTTP to another host) fails before anything is sent or stored.
pub async fn login_with(
    replica: &mut Replica,
    server_url: &str,
    transport: &Transport,
    account: Account<'_>,
    password: &str,
    new_password: Option<&str>,
) -> Result<Identity, SyncError> {
    let username = account.username;
    let api = Api::new(server_url, transport)?;
    let enrolment = Enrolment::for_user(replica, username)?;
    let request = LoginRequest {
        username: username.to_owned(),
        password: password.to_owned(),
        device: enrolment.wire(replica.now_ms()),
        new_password: new_password.map(str::to_owned),
        county: account.county.map(str::to_owned),
    };
    match api.login(&request).await {
        Ok(response) => enrolment.finish(replica, api.base_url(), transport, response),
        Err(e) => {
            if let Some(id) = &enrolment.existing {
                identity::failed(&replica.conn, id.device_id, &format!("login: {e}"), replica.now_ms())?;
            }
            Err(e)
        }
    }
}

/// The identity a login enrols: the username's existing one on this phone, or a fresh one that
/// is stored only once the server has accepted the login.
pub(crate) struct Enrolment {
    pub existing: Option<Identity>,
    pub username: String,
    pub device_id: DeviceId,
    pub key: DeviceKey,
}

impl Enrolment {
    pub(crate) fn for_user(replica: &Replica, username: &str) -> Result<Enrolment, SyncError> {
        let existing = replica.identity_for(username)?;
        let (device_id, key) = match &existing {
            Some(id) => (id.device_id, id.key.clone()),
            None => fresh_identity(),
        };
        Ok(Enrolment { existing, username: username.to_owned(), device_id, key })
    }

    /// The enrolment sent at login; an identity already on this phone proves it holds its key,
    /// so failed logins by others do not count against it.
    pub(crate) fn wire(&self, now_ms: i64) -> DeviceEnrolment {
        let label = concat!("patrol-device ", env!("CARGO_PKG_VERSION")).into();
        let proof = self.existing.as_ref().map(|_| LoginProof::sign(&self.key, &self.username, self.device_id, now_ms));
        DeviceEnrolment { device_id: self.device_id, public_key: self.key.public(), label, proof }
    }

    /// Stores the identity with what the server answered and makes it active.
    pub(crate) fn finish(
        self,
        replica: &mut Replica,
        server_url: &str,
        transport: &Transport,
        response: LoginResponse,
    ) -> Result<Identity, SyncError> {
        let mut base = match self.existing {
            Some(id) => id,
            None => new_identity(self.device_id, self.key, &self.username, &response),
        };
        base.transport = transport.clone();
        replica.save_login(base, server_url, response)
    }
}

/// A device id and key never seen before. On a real phone the key is made inside the OS keystore.
fn fresh_identity() -> (DeviceId, DeviceKey) {
    let mut secret = [0u8; 32];
    OsRng.fill_bytes(&mut secret);
    (DeviceId(Uuid::now_v7()), DeviceKey::from_secret(secret))
}

fn new_identity(device_id: DeviceId, key: DeviceKey, username: &str, r: &LoginResponse) -> Identity {
    Identity {
        device_id,
        username: username.to_owned(),
        user: r.user.clone(),
        key,
        server_url: String::new(),
        transport: Transport::default(),
        token: None,
        role: r.role,
        display_name: r.display_name.clone(),
        next_seq: 1,
        head: Hash::ZERO,
        hlc: Hlc::ZERO,
        last_sync_at: None,
        last_error: None,
        last_error_at: None,
    }
}

impl Replica {
    /// Stores what a login answered, in one transaction: token, role, name, merged clock, the
    /// identity made active; and when the server expects an earlier seq than ours, the events from
    /// there on are pending again (the server is missing them).
    pub(crate) fn save_login(&mut self, mut id: Identity, server_url: &str, r: LoginResponse) -> Result<Identity, SyncError> {
        let now = self.now_ms();
        id.user = r.user;
        id.server_url = server_url.to_owned();
        id.token = Some(AccessToken { secret: r.access_token, expires_at: r.expires_at });
        let refresh = AccessToken { secret: r.refresh_token, expires_at: r.refresh_expires_at };
        id.role = r.role;
        id.display_name = r.display_name;
        id.hlc = id.hlc.merge(r.hlc, hlc_ms(now));
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        identity::save(&tx, &id, now)?;
        identity::save_tokens(&tx, id.device_id, id.token.as_ref(), Some(&refresh))?;
        identity::set_active(&tx, id.device_id)?;
        if r.next_seq < id.next_seq {
            // Events pending again are folded again, whether they were rejected or left out of
            // the fold as out of scope (`events::LEFT_OUT`).
            let members = FoldMembers::left_out(&tx, id.device_id)?;
            let n = outbox::resend_from(&tx, id.device_id, r.next_seq)?;
            if n > 0 {
                projection::update(&tx, id.device_id, &mut [], &members.changed(&tx, id.device_id)?)?;
            }
            tracing::warn!(expected = r.next_seq, ours = id.next_seq, resent = n, "the server is missing events of this identity");
        }
        tx.commit()?;
        Ok(id)
    }
}
