//! The request log and the HTTP metrics, as one middleware: for every request, its method, route
//! template, status, time taken, and the user and device the token named. Never a header, a query
//! string, a body, a token or a password.

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web;
use std::time::Instant;
use sync_protocol::ids::{DeviceId, UserId};

use super::AppState;

/// Who the request's token named, left in the request's extensions by the `Principal` extractor.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: UserId,
    pub device: DeviceId,
}

/// The route template of a request that matched none.
const UNMATCHED: &str = "unmatched";

/// Logs and counts one request once its response is ready (the time taken is to the response's
/// head: a streamed body is not waited for).
pub async fn observe(req: ServiceRequest, next: Next<impl MessageBody>) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = method_name(req.method());
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let res = next.call(req).await?;
    let seconds = started.elapsed().as_secs_f64();
    let status = res.status().as_u16();
    let route = res.request().match_pattern();
    let route = route.as_deref().unwrap_or(UNMATCHED);
    if let Some(state) = state {
        state.metrics.request(method, route, status, seconds);
        if state.log_requests {
            let caller = res.request().extensions().get::<Caller>().cloned();
            let (user, device) = caller.map(|c| (c.user.to_string(), c.device.to_string())).unwrap_or_default();
            tracing::info!(target: "patrolsync::request", method, route, status, latency_ms = seconds * 1e3, user, device);
        }
    }
    Ok(res)
}

/// The method as a static name (the metrics' label); a method the server has no route for is
/// `OTHER`.
fn method_name(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "OTHER",
    }
}
