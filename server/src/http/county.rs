//! The county of a request as an extractor: a handler that takes a [`County`] gets the services of
//! the county its bearer token names, checked against the `X-Patrolsync-County` header when sent.
//! A request without a token has no county (401): a login names its county in its body.

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use std::future::{Ready, ready};
use std::sync::Arc;

use super::AppState;
use super::error::ApiError;
use crate::service::Services;
use crate::service::principal::AuthError;

/// The header a client may send to say which county it means; a token of another is refused.
pub const COUNTY_HEADER: &str = "x-patrolsync-county";

/// The services of the request's county, chosen once per request.
#[derive(Clone)]
pub struct County(pub Arc<Services>);

impl std::ops::Deref for County {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

impl FromRequest for County {
    type Error = ApiError;
    type Future = Ready<Result<County, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(county_of(req))
    }
}

/// The county of `req` (kept in its extensions, so that the caller's extractor and the handler's
/// agree and the token is read once).
pub fn county_of(req: &HttpRequest) -> Result<County, ApiError> {
    if let Some(county) = req.extensions().get::<County>() {
        return Ok(county.clone());
    }
    let state = req.app_data::<web::Data<AppState>>().ok_or_else(|| ApiError::Unauthenticated("server misconfigured".into()))?;
    let asked = req.headers().get(COUNTY_HEADER).map(|h| h.to_str().unwrap_or("?"));
    let header = req.headers().get(AUTHORIZATION).and_then(|h| h.to_str().ok()).ok_or(AuthError::MissingToken)?;
    let token = header.strip_prefix("Bearer ").ok_or(AuthError::NotBearer)?;
    let subject = state.auth.tokens.check(token.trim(), state.clock.now_s()).map_err(AuthError::from)?;
    let services = state.counties.of_token(&subject.county, asked)?;
    let county = County(services.clone());
    req.extensions_mut().insert(county.clone());
    Ok(county)
}
