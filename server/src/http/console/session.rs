//! The console's browser session: `POST /console/session` logs in (the same accounts, the
//! browser's own key enrolled as a device), `/console/session/refresh` resumes after a reload or
//! when the access token runs out, `/console/session/logout` ends it.
//!
//! The access token lives only in the page's memory and goes out as a bearer header, so no
//! request is authorised by the browser on its own (no CSRF on the API). The refresh token lives
//! only in an `HttpOnly; Secure; SameSite=Strict` cookie that scripts cannot read, and is spent
//! only by the refresh route, which also demands a header a cross-site form cannot send and a
//! same-origin `Origin`/`Sec-Fetch-Site` (docs/security.md, the console).

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieAge};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use sync_protocol::admit::offer::{OfficeReach, Viewer, reach};
use sync_protocol::body::Role;
use sync_protocol::hlc::Hlc;
use sync_protocol::ids::{DeviceId, UnitId, UserId};
use sync_protocol::wire::LoginRequest;
use sync_protocol::wire::session::RefreshRequest;

use crate::http::AppState;
use crate::http::county::County;
use crate::http::error::ApiError;
use crate::http::principal::Principal;
use crate::service::login;

/// The refresh cookie. `__Host-` makes the browser refuse it unless it is `Secure`, for the whole
/// origin and set by this host only.
pub const REFRESH_COOKIE: &str = "__Host-patrolsync-refresh";

/// The header every console call of the refresh route carries: a cross-site form cannot set it,
/// and a cross-site script cannot without a CORS preflight, which this server never grants.
pub const CONSOLE_HEADER: &str = "x-patrolsync-console";

/// What the console learns at sign-in and on resuming: the tokens stay out of reach of scripts
/// except the short-lived access token.
#[derive(Debug, Serialize)]
pub struct ConsoleSession {
    pub access_token: String,
    /// Unix milliseconds.
    pub expires_at: i64,
    pub user: UserId,
    pub role: Role,
    pub display_name: String,
    pub units: Vec<UnitId>,
    pub device_id: DeviceId,
    /// The seq the server expects next from the browser's device.
    pub next_seq: u64,
    pub hlc: Hlc,
    /// Where the user may record tips and open cases: the console offers those actions there only
    /// (`sync_protocol::admit::offer::reach`, admission's own rules).
    pub reach: OfficeReach,
}

/// The reach of `user` with `role` serving `units`.
fn reach_of(user: &UserId, role: Role, units: &[UnitId]) -> OfficeReach {
    reach(&Viewer { user, role, units })
}

/// The largest sign-in body, bytes.
const MAX_BODY: usize = 16 * 1024;

/// `POST /console/session`: the login of `POST /v1/auth/login`, its refresh token set as the
/// cookie instead of returned.
pub async fn sign_in(state: web::Data<AppState>, req: HttpRequest, payload: web::Payload) -> Result<HttpResponse, ApiError> {
    crate::http::routes::auth_limit(&state, &req)?;
    same_origin(&req)?;
    let request: LoginRequest = crate::http::body::json(&req, payload, MAX_BODY, state.body_timeout).await?;
    let county = state.counties.named(request.county.as_deref())?;
    let (r, principal) = login::login_held(county, request).await?;
    let reach = reach_of(&principal.user.id, principal.user.role, &principal.user.units);
    let session = ConsoleSession {
        access_token: r.access_token,
        expires_at: r.expires_at,
        user: r.user,
        role: r.role,
        display_name: r.display_name,
        units: principal.user.units,
        device_id: r.device_id,
        next_seq: r.next_seq,
        hlc: r.hlc,
        reach,
    };
    Ok(HttpResponse::Ok().cookie(refresh_cookie(r.refresh_token, r.refresh_expires_at, state.clock.now_ms())).json(session))
}

/// `POST /console/session/refresh`: spends the cookie's refresh token, sets its successor. With
/// no cookie, or one whose session ended (logged out, expired, revoked on reuse), the answer is
/// `204 No Content` and the cookie is cleared: the console then shows its sign-in, and a browser
/// with no session logs no failed request on every load.
pub async fn resume(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    crate::http::routes::auth_limit(&state, &req)?;
    same_origin(&req)?;
    if req.headers().get(CONSOLE_HEADER).is_none() {
        return Err(ApiError::Forbidden(format!("the console sends {CONSOLE_HEADER}")));
    }
    let Some(secret) = req.cookie(REFRESH_COOKIE).map(|c| c.value().to_owned()) else {
        return Ok(HttpResponse::NoContent().finish());
    };
    let (county, secret) = state.counties.of_refresh(&secret)?;
    let (tokens, principal) = match login::resume(county, RefreshRequest { refresh_token: secret.to_owned() }).await {
        Ok(resumed) => resumed,
        Err(login::LoginError::SessionEnded | login::LoginError::RefreshReused) => {
            return Ok(HttpResponse::NoContent().cookie(removal()).finish());
        }
        Err(e) => return Err(e.into()),
    };
    let reach = reach_of(&principal.user.id, principal.user.role, &principal.user.units);
    let session = ConsoleSession {
        access_token: tokens.access_token,
        expires_at: tokens.expires_at,
        user: principal.user.id,
        role: principal.user.role,
        display_name: principal.user.display_name,
        units: principal.user.units,
        device_id: principal.device.id,
        next_seq: principal.device.head_seq + 1,
        hlc: tokens.hlc,
        reach,
    };
    let now = state.clock.now_ms();
    Ok(HttpResponse::Ok().cookie(refresh_cookie(tokens.refresh_token, tokens.refresh_expires_at, now)).json(session))
}

/// `POST /console/session/logout` with the bearer token: ends the session and clears the cookie.
pub async fn sign_out(
    state: web::Data<AppState>,
    county: County,
    req: HttpRequest,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    crate::http::routes::auth_limit(&state, &req)?;
    login::logout(&county, &principal).await?;
    Ok(HttpResponse::NoContent().cookie(removal()).finish())
}

/// The header that deletes the refresh cookie.
fn removal() -> Cookie<'static> {
    let mut gone = refresh_cookie(String::new(), 0, 0);
    gone.make_removal();
    gone
}

fn refresh_cookie(secret: String, expires_at_ms: i64, now_ms: i64) -> Cookie<'static> {
    Cookie::build(REFRESH_COOKIE, secret)
        .path("/")
        .secure(true)
        .http_only(true)
        .same_site(SameSite::Strict)
        .max_age(CookieAge::seconds(((expires_at_ms - now_ms) / 1000).max(0)))
        .finish()
}

/// Refuses a request another site's page made: by `Sec-Fetch-Site` where the browser sends it,
/// else by an `Origin` naming another host. (A client that is not a browser sends neither.)
fn same_origin(req: &HttpRequest) -> Result<(), ApiError> {
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && site != "same-origin"
        && site != "none"
    {
        return Err(ApiError::Forbidden(format!("a {site} request")));
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        Some(origin) if origin.split_once("://").map(|(_, h)| h) != Some(host) => Err(ApiError::Forbidden("another origin".into())),
        _ => Ok(()),
    }
}
