//! A city or province official as an extractor: a handler that takes an [`Official`] runs only for
//! a deployment token of an official still listed; a county user's token is refused (403).

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpRequest, web};
use std::future::{Ready, ready};

use super::AppState;
use super::error::ApiError;
pub use crate::service::officials::Official;

impl FromRequest for Official {
    type Error = ApiError;
    type Future = Ready<Result<Official, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let header = req.headers().get(AUTHORIZATION).and_then(|h| h.to_str().ok());
        ready(match req.app_data::<web::Data<AppState>>() {
            Some(state) => state.deployment().authenticate(header).map_err(ApiError::from),
            None => Err(ApiError::Unauthenticated("server misconfigured".into())),
        })
    }
}
