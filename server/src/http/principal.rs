//! The authenticated caller as an extractor: a handler that takes a [`Principal`] cannot run for
//! an anonymous caller, one that takes an [`Admin`] for anyone but an admin. The caller is looked up
//! in the store of their token's county ([`super::county`]); the checks themselves are
//! `service::principal::authenticate`.

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use std::future::Future;
use std::pin::Pin;
use sync_protocol::body::Role;

use super::error::ApiError;
use super::request_log::Caller;
pub use crate::service::principal::Principal;

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Principal, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(authenticate(req))
    }
}

/// The caller of `req`, for a handler that checks the token itself (while reading the body:
/// `crate::http::body::JsonBody::meanwhile`).
pub fn authenticate(req: &HttpRequest) -> impl Future<Output = Result<Principal, ApiError>> + 'static {
    let header = req.headers().get(AUTHORIZATION).and_then(|h| h.to_str().ok()).map(str::to_owned);
    let county = super::county::county_of(req);
    let req = req.clone();
    async move {
        let county = county?;
        let principal = crate::service::principal::authenticate(&county, header.as_deref()).await?;
        // For the request log.
        req.extensions_mut().insert(Caller { user: principal.user.id.clone(), device: principal.device.id });
        Ok(principal)
    }
}

/// An authenticated admin: a handler that takes an [`Admin`] cannot run for anyone else (403).
pub struct Admin(pub Principal);

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Admin, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(admin(req))
    }
}

/// The caller of `req` if it is an admin (see [`authenticate`]).
pub fn admin(req: &HttpRequest) -> impl Future<Output = Result<Admin, ApiError>> + 'static {
    let caller = authenticate(req);
    async move {
        let principal = caller.await?;
        principal.require(Role::Admin)?;
        Ok(Admin(principal))
    }
}
