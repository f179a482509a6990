//! The authenticated caller: a bearer token checked on the clock, then the user, the device and
//! the session read from the store on every request, so that a disabled user, a revoked phone or
//! an ended session is refused at once. A use case that takes a [`Principal`] cannot run for an
//! anonymous caller (`http::principal` makes it the handlers' extractor).

use std::collections::BTreeSet;
use sync_protocol::admit::Caller;
use sync_protocol::body::Role;
use sync_protocol::scope::{Bucket, scope_of, tip_scope};

use super::Services;
use super::auth::token::TokenError;
use crate::store::StoreError;
use crate::store::sessions::{DeviceRecord, SessionHolder, SessionId, UserRecord};

#[derive(Debug, Clone)]
pub struct Principal {
    pub user: UserRecord,
    pub device: DeviceRecord,
    /// The buckets this user may pull now.
    pub scope: BTreeSet<Bucket>,
    /// The login session the token belongs to.
    pub session: SessionId,
}

/// Why a request is not authenticated.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("missing bearer token")]
    MissingToken,
    #[error("expected a bearer token")]
    NotBearer,
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error("unknown user or device, or the session has ended")]
    NoSession,
    #[error("this account is disabled")]
    Disabled,
    #[error("this device is revoked")]
    Revoked,
    /// A token of another county (the deployment chose this county's services for it wrongly, or
    /// the request named this county): never served from this county's store.
    #[error("this token is for another county")]
    OtherCounty,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A caller whose role is none of those a use case needs.
#[derive(Debug, thiserror::Error)]
#[error("this needs the {0} role")]
pub struct Forbidden(String);

impl Principal {
    pub fn caller(&self) -> Caller {
        Caller { user: self.user.id.clone(), device: self.device.id, role: self.user.role }
    }

    pub fn require(&self, role: Role) -> Result<(), Forbidden> {
        self.require_any(&[role])
    }

    /// Refuses a caller whose role is none of `roles`.
    pub fn require_any(&self, roles: &[Role]) -> Result<(), Forbidden> {
        if roles.contains(&self.user.role) {
            return Ok(());
        }
        let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        Err(Forbidden(names.join(" or ")))
    }
}

/// The caller of a request whose `Authorization` header is `header`.
pub async fn authenticate(services: &Services, header: Option<&str>) -> Result<Principal, AuthError> {
    let header = header.ok_or(AuthError::MissingToken)?;
    let token = header.strip_prefix("Bearer ").ok_or(AuthError::NotBearer)?;
    let subject = services.auth.tokens.check(token.trim(), services.clock.now_s())?;
    if !subject.county.is_empty() && subject.county != services.county.code {
        return Err(AuthError::OtherCounty);
    }
    let holder = services.store.session_holder(subject.user, subject.device, subject.session).await?.ok_or(AuthError::NoSession)?;
    let scope = scope_of_holder(&holder);
    let principal = Principal { user: holder.user, device: holder.device, scope, session: subject.session };
    if principal.user.disabled {
        return Err(AuthError::Disabled);
    }
    if principal.device.revoked || principal.device.user != principal.user.id {
        return Err(AuthError::Revoked);
    }
    Ok(principal)
}

/// The buckets the holder of a session may pull now: their places', and for a township inspector
/// the buckets of the tips assigned now to their townships.
fn scope_of_holder(holder: &SessionHolder) -> BTreeSet<Bucket> {
    let mut scope = scope_of(holder.user.role, &holder.user.units, holder.village.as_ref());
    scope.extend(tip_scope(holder.user.role, holder.tips.iter().copied()));
    scope
}

/// Reads the caller's scope again, after a push that received or moved a tip: the tips of their
/// townships are not what they were when the request began, and the reply's pages must follow.
pub(super) async fn rescope(services: &Services, principal: &mut Principal) -> Result<(), StoreError> {
    let holder = services.store.session_holder(principal.user.id.clone(), principal.device.id, principal.session).await?;
    if let Some(holder) = holder {
        principal.scope = scope_of_holder(&holder);
    }
    Ok(())
}
