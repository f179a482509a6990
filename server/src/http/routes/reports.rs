//! `GET /v1/compliance`, `/v1/reconciliation`, `/v1/devices/unsynced`, `/v1/ledger` and `/v1/map`:
//! decide the caller's audience, parse the query, build the report (see `crate::service::reports`).

use actix_web::{HttpRequest, HttpResponse, web};

use super::query;
use crate::http::AppState;
use crate::http::county::County;
use crate::http::error::ApiError;
use crate::http::principal::Principal;
use crate::service::reports::audience::Audience;
use crate::service::reports::{compliance, ledger, ledger_export, reconciliation};

pub async fn compliance(
    state: web::Data<AppState>,
    county: County,
    principal: Principal,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let version = crate::http::reply::protocol(&req)?;
    let audience = Audience::of(&principal)?;
    let (services, now) = (&county, state.clock.now_ms());
    let report = compliance::report(&*services.store, &audience, query(&req)?, &services.reports.compliance, now).await?;
    crate::http::reply::versioned(&req, version, report)
}

/// `GET /v1/devices/unsynced`: the devices of the caller's townships not synced for the configured days.
pub async fn unsynced(
    state: web::Data<AppState>,
    county: County,
    principal: Principal,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let audience = Audience::above_village(&principal)?;
    let report = reconciliation::unsynced(&county, &audience, query(&req)?, state.clock.now_ms()).await?;
    crate::http::reply::json(&req, &report)
}

pub async fn reconciliation(
    state: web::Data<AppState>,
    county: County,
    principal: Principal,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let audience = Audience::above_village(&principal)?;
    let report = reconciliation::report(&county, &audience, query(&req)?, state.clock.now_ms()).await?;
    crate::http::reply::json(&req, &report)
}

pub async fn ledger(state: web::Data<AppState>, county: County, principal: Principal, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let audience = Audience::of(&principal)?;
    let q: ledger::LedgerQuery = query(&req)?;
    let ledger = ledger::ledger(&*county.store, &audience, &q, state.clock.now_ms()).await?;
    let (bytes, content_type, ext) = match q.format {
        ledger::Format::Json => return crate::http::reply::written(&req, |out| ledger::write_json(&ledger, out)),
        ledger::Format::Csv => (ledger_export::csv(&ledger::read(ledger).map_err(ApiError::Reply)?)?, "text/csv; charset=utf-8", "csv"),
        ledger::Format::Xlsx => {
            let ledger = ledger::read(ledger).map_err(ApiError::Reply)?;
            (ledger_export::xlsx(&ledger)?, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
        }
    };
    let name = format!("attachment; filename=\"ledger-{}-{}.{ext}\"", q.from, q.to);
    Ok(HttpResponse::Ok().content_type(content_type).insert_header(("content-disposition", name)).body(bytes))
}

pub async fn map(state: web::Data<AppState>, county: County, principal: Principal, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let audience = Audience::of(&principal)?;
    let q: ledger::LedgerQuery = query(&req)?;
    crate::http::reply::json(&req, &ledger::map(&*county.store, &audience, &q, state.clock.now_ms()).await?)
}
