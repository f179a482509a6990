//! The authenticated caller: a bearer token checked, then the user and device read from the store
//! on every request, so a disabled user, a revoked phone or an ended session is refused at once. Handlers that take
//! a `Principal` cannot run for anonymous callers.

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpRequest, web};
use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use sync_protocol::admit::Caller;
use sync_protocol::body::Role;
use sync_protocol::scope::{Bucket, scope_of};

use super::session::SessionId;
use crate::app::AppState;
use crate::error::ApiError;
use crate::store::principal::{self, DeviceRecord, UserRecord};
use crate::store::sessions::session_live;

#[derive(Debug, Clone)]
pub struct Principal {
    pub user: UserRecord,
    pub device: DeviceRecord,
    /// The buckets this user may pull now.
    pub scope: BTreeSet<Bucket>,
    /// The login session the token belongs to.
    pub session: SessionId,
}

impl Principal {
    pub fn caller(&self) -> Caller {
        Caller { user: self.user.id.clone(), device: self.device.id, role: self.user.role }
    }

    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        self.require_any(&[role])
    }

    /// Refuses (403) a caller whose role is none of `roles`.
    pub fn require_any(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.user.role) {
            return Ok(());
        }
        let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        Err(ApiError::Forbidden(format!("this needs the {} role", names.join(" or "))))
    }
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Principal, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let header = req.headers().get(AUTHORIZATION).and_then(|h| h.to_str().ok()).map(str::to_owned);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Unauthenticated("server misconfigured".into()))?;
            let header = header.ok_or_else(|| ApiError::Unauthenticated("missing bearer token".into()))?;
            let token = header.strip_prefix("Bearer ").ok_or_else(|| ApiError::Unauthenticated("expected a bearer token".into()))?;
            let subject = state.auth.tokens.check(token.trim()).map_err(|e| ApiError::Unauthenticated(e.to_string()))?;
            let now_ms = chrono::Utc::now().timestamp_millis();
            let principal = state
                .store
                .read(move |conn| {
                    let user = principal::user(conn, subject.user.as_str())?;
                    let device = principal::device(conn, subject.device)?;
                    let (Some(user), Some(device)) = (user, device) else { return Ok(None) };
                    if !session_live(conn, subject.session, &user.id, device.id, now_ms)? {
                        return Ok(None);
                    }
                    let village =
                        if user.role == Role::VillageOfficer { principal::current_village(conn, &user.id, now_ms)? } else { None };
                    let scope = scope_of(user.role, &user.units, village.as_ref());
                    Ok(Some(Principal { user, device, scope, session: subject.session }))
                })
                .await?
                .ok_or_else(|| ApiError::Unauthenticated("unknown user or device, or the session has ended".into()))?;
            if principal.user.disabled {
                return Err(ApiError::Unauthenticated("this account is disabled".into()));
            }
            if principal.device.revoked || principal.device.user != principal.user.id {
                return Err(ApiError::Unauthenticated("this device is revoked".into()));
            }
            Ok(principal)
        })
    }
}
