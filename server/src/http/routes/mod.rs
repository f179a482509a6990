//! The HTTP routes: each handler parses, authorises, calls one function and maps the result.
//!
//! The route table below is written once: [`routes!`] both registers every route
//! ([`configure`]) and lists it in [`ROUTES`], so the list cannot drift from what the server
//! answers. The access matrix test (`tests/access-matrix.toml`) fails when a route in [`ROUTES`]
//! has no rows, or when the matrix names a route that is not here.

mod admin;
mod audit;
mod auth;
mod blobs;
mod cases;
mod evidence;
mod flags;
mod health;
mod ops;
mod patrols;
mod people;
mod projection;
mod reports;
mod rollups;
mod sync;

use actix_web::http::Method;
use actix_web::{HttpRequest, web};

use super::console;
use super::error::ApiError;
pub use auth::auth_limit;

/// The request's query string as `T` (400 when it does not parse).
fn query<T: serde::de::DeserializeOwned>(req: &HttpRequest) -> Result<T, ApiError> {
    Ok(web::Query::<T>::from_query(req.query_string()).map_err(|e| ApiError::MalformedRequest(e.to_string()))?.into_inner())
}

/// Declares the route table: `METHOD "pattern" => handler`, one line a route.
macro_rules! routes {
    ($($method:ident $path:literal => $handler:path),* $(,)?) => {
        /// Every route the server answers, as (method, path pattern), in registration order.
        pub const ROUTES: &[(&str, &str)] = &[$((stringify!($method), $path)),*];

        /// Registers every route of [`ROUTES`].
        pub fn configure(cfg: &mut web::ServiceConfig) {
            $(cfg.route($path, web::method(Method::$method).to($handler));)*
        }
    };
}

routes! {
    GET "/" => console::assets::index,
    GET "/console/{file:.+}" => console::assets::file,
    POST "/console/session" => console::session::sign_in,
    POST "/console/session/refresh" => console::session::resume,
    POST "/console/session/logout" => console::session::sign_out,
    GET "/healthz" => health::healthz,
    GET "/readyz" => ops::readyz,
    GET "/metrics" => ops::metrics,
    POST "/v1/auth/login" => auth::login,
    POST "/v1/auth/refresh" => auth::refresh,
    POST "/v1/auth/logout" => auth::logout,
    POST "/v1/auth/password" => people::change_password,
    POST "/v1/sync" => sync::sync,
    GET "/v1/projection" => projection::projection,
    GET "/v1/office" => projection::office,
    GET "/v1/flags" => flags::flags,
    HEAD "/v1/blobs/{sha256}" => blobs::head,
    PUT "/v1/blobs/{sha256}" => blobs::put,
    GET "/v1/blobs/{sha256}" => blobs::get,
    GET "/v1/evidence/missing" => evidence::missing,
    GET "/v1/compliance" => reports::compliance,
    GET "/v1/reconciliation" => reports::reconciliation,
    GET "/v1/devices/unsynced" => reports::unsynced,
    GET "/v1/ledger" => reports::ledger,
    GET "/v1/map" => reports::map,
    GET "/v1/patrols/{id}" => patrols::patrol,
    GET "/v1/cases" => cases::list,
    GET "/v1/cases/{id}" => cases::show,
    GET "/v1/audit/townships" => audit::townships,
    GET "/v1/audit/integrity" => audit::integrity,
    GET "/v1/audit/checkpoint" => audit::checkpoint,
    GET "/v1/audit/consistency" => audit::consistency,
    GET "/v1/audit/access" => people::access_log,
    POST "/v1/admin/assignments" => admin::assign,
    POST "/v1/admin/users/{id}/disable" => admin::disable_user,
    POST "/v1/admin/users/{id}/enable" => admin::enable_user,
    POST "/v1/admin/users" => people::add_user,
    PATCH "/v1/admin/users/{id}" => people::change_user,
    POST "/v1/admin/users/{id}/reset-password" => people::reset_password,
    POST "/v1/admin/roster" => people::import_roster,
    GET "/v1/admin/roster" => people::export_roster,
    POST "/v1/admin/devices/{id}/revoke" => admin::revoke_device,
    POST "/v1/deployment/login" => rollups::login,
    GET "/v1/rollups" => rollups::rollups,
}
