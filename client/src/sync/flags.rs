//! Asking the server for the flags its checks raised in the caller's scope (needs the network and
//! a valid login, unlike recording).

use sync_protocol::wire::flags::{FlagList, FlagQuery};

use super::{Api, SyncError, request};
use crate::replica::Replica;

/// The flags in the active officer's scope that match `query`.
pub async fn flags(replica: &Replica, query: &FlagQuery) -> Result<FlagList, SyncError> {
    let me = replica.require_active()?;
    let token = request::bearer(&me, replica.now_ms())?;
    Api::new(&me.server_url)?.flags(&token, query, &me.username).await
}
