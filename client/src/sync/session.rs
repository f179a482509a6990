//! Keeping the officer logged in: an expired access token is replaced by spending the session's
//! refresh token (rotated by the server on every use); only when the session has ended does the
//! officer need to type the password again.

use sync_protocol::wire::session::RefreshRequest;

use super::{Api, SyncError};
use crate::replica::{AccessToken, Identity, Replica, identity};

/// Refresh this long before the access token runs out, so a request never races its expiry.
const EARLY_MS: i64 = 30_000;

/// A bearer token for the active identity: its access token while valid, else a fresh one for
/// its refresh token. Fails with `NeedsLogin` when neither can give one.
pub(crate) async fn bearer(replica: &Replica, api: &Api) -> Result<String, SyncError> {
    let me = replica.require_active()?;
    let now = replica.now_ms();
    if let Some(t) = me.token.as_ref().filter(|t| t.expires_at > now + EARLY_MS) {
        return Ok(t.secret.clone());
    }
    let Some(refresh) = identity::refresh_token(&replica.conn, me.device_id)?.filter(|t| t.expires_at > now) else {
        return super::request::bearer(&me, now);
    };
    match api.refresh(&RefreshRequest { refresh_token: refresh.secret }, &me.username).await {
        Ok(r) => {
            let access = AccessToken { secret: r.access_token, expires_at: r.expires_at };
            let next = AccessToken { secret: r.refresh_token, expires_at: r.refresh_expires_at };
            identity::save_tokens(&replica.conn, me.device_id, Some(&access), Some(&next))?;
            Ok(access.secret)
        }
        Err(e) if e.needs_login() => {
            // The session ended (logout, a revoked phone, or a copied token seen by the server).
            identity::save_tokens(&replica.conn, me.device_id, None, None)?;
            Err(e)
        }
        // A lost reply keeps the old refresh token: the server accepts it again for a short grace.
        Err(e) => Err(e),
    }
}

/// Ends the active identity's session on the server and forgets its tokens on the phone (also
/// when the server is out of reach: the tokens are gone either way, and a session nobody holds
/// runs out by itself).
pub async fn logout(replica: &Replica) -> Result<Identity, SyncError> {
    let me = replica.require_active()?;
    let api = Api::of(&me)?;
    let ended = match bearer(replica, &api).await {
        Ok(token) => api.logout(&token, &me.username).await,
        Err(e) => Err(e),
    };
    identity::save_tokens(&replica.conn, me.device_id, None, None)?;
    match ended {
        Ok(()) => Ok(me),
        Err(e) if e.needs_login() => Ok(me),
        Err(e) => Err(e),
    }
}
