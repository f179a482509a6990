//! Asking the server for the flags its checks raised in the caller's scope, its cases, the ledger export
//! and the other reports, and an admin's requests (all need the network and a valid login, unlike
//! recording).

use sync_protocol::ids::EventId;
use sync_protocol::wire::cases::{CaseDetail, CaseList, CaseQuery};
use sync_protocol::wire::flags::{FlagList, FlagQuery};
use sync_protocol::wire::reports::LedgerQuery;

use super::{Api, SyncError, session};
use crate::replica::Replica;

/// The flags in the active officer's scope that match `query`.
pub async fn flags(replica: &Replica, query: &FlagQuery) -> Result<FlagList, SyncError> {
    let me = replica.require_active()?;
    let api = Api::of(&me)?;
    let token = session::bearer(replica, &api).await?;
    api.flags(&token, query, &me.username).await
}

/// The cases in the active officer's scope that match `query` (`GET /v1/cases`).
pub async fn cases(replica: &Replica, query: &CaseQuery) -> Result<CaseList, SyncError> {
    let me = replica.require_active()?;
    let api = Api::of(&me)?;
    let token = session::bearer(replica, &api).await?;
    api.get_json(&token, "/v1/cases", query, &me.username).await
}

/// One case with every step (`GET /v1/cases/{id}`); a case outside the scope is not found.
pub async fn case(replica: &Replica, id: EventId) -> Result<CaseDetail, SyncError> {
    let me = replica.require_active()?;
    let api = Api::of(&me)?;
    let token = session::bearer(replica, &api).await?;
    let no_query: &[(&str, &str)] = &[];
    api.get_json(&token, &format!("/v1/cases/{id}"), no_query, &me.username).await
}

/// The ledger (`GET /v1/ledger`) that `query` asks for, in the form it names, as the server wrote it.
pub async fn ledger_export(replica: &Replica, query: &LedgerQuery) -> Result<Vec<u8>, SyncError> {
    report(replica, "/v1/ledger", query).await
}

/// A report (`path`, e.g. `/v1/compliance`) for `query`, as the server wrote it.
pub async fn report<Q: serde::Serialize + ?Sized>(replica: &Replica, path: &str, query: &Q) -> Result<Vec<u8>, SyncError> {
    let me = replica.require_active()?;
    let api = Api::of(&me)?;
    let token = session::bearer(replica, &api).await?;
    api.download(&token, path, query, &me.username).await
}

/// A route with a JSON body (`POST` or `PATCH`) as the active user: the server's reply.
pub async fn admin_json<B: serde::Serialize + Sync>(
    replica: &Replica,
    method: reqwest::Method,
    path: &str,
    body: &B,
) -> Result<serde_json::Value, SyncError> {
    let me = replica.require_active()?;
    let api = Api::of(&me)?;
    let token = session::bearer(replica, &api).await?;
    api.send_json(&token, method, path, body, &me.username).await
}

/// A page of the access log (`GET /v1/audit/access`, county roles).
pub async fn access_log(replica: &Replica, query: &sync_protocol::wire::people::AccessQuery) -> Result<serde_json::Value, SyncError> {
    let me = replica.require_active()?;
    let api = Api::of(&me)?;
    let token = session::bearer(replica, &api).await?;
    let bytes = api.download(&token, "/v1/audit/access", query, &me.username).await?;
    serde_json::from_slice(&bytes).map_err(SyncError::BadReply)
}

/// The active user changes their own password (`POST /v1/auth/password`).
pub async fn change_password(replica: &Replica, current: &str, new: &str) -> Result<serde_json::Value, SyncError> {
    let body = sync_protocol::wire::people::PasswordChange { current_password: current.to_owned(), new_password: new.to_owned() };
    admin_json(replica, reqwest::Method::POST, "/v1/auth/password", &body).await
}

/// An admin route (`POST /v1/admin/...`, no body) as the active user: the server's reply.
pub async fn admin(replica: &Replica, path: &str) -> Result<serde_json::Value, SyncError> {
    let me = replica.require_active()?;
    let api = Api::of(&me)?;
    let token = session::bearer(replica, &api).await?;
    api.post_empty(&token, path, &me.username).await
}
