//! `GET /v1/compliance`, `/v1/reconciliation` and `/v1/ledger`: parse the query, decide the caller's
//! audience, build the report (see `crate::reports`).

use actix_web::{HttpRequest, HttpResponse, web};

use crate::app::AppState;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::reports::audience::Audience;
use crate::reports::{compliance, ledger, ledger_export, reconciliation};

fn query<T: serde::de::DeserializeOwned>(req: &HttpRequest) -> Result<T, ApiError> {
    Ok(web::Query::<T>::from_query(req.query_string()).map_err(|e| ApiError::MalformedRequest(e.to_string()))?.into_inner())
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

pub async fn compliance(state: web::Data<AppState>, principal: Principal, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let audience = Audience::of(&principal)?;
    let q = query(&req)?;
    let report = compliance::report(&state.store, &audience, q, &state.reports.compliance, now_ms()).await?;
    crate::reply::json(&req, &report)
}

pub async fn reconciliation(state: web::Data<AppState>, principal: Principal, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let audience = Audience::above_village(&principal)?;
    let q = query(&req)?;
    let report = reconciliation::report(&state, &audience, q, now_ms()).await?;
    crate::reply::json(&req, &report)
}

pub async fn ledger(state: web::Data<AppState>, principal: Principal, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let audience = Audience::of(&principal)?;
    let q: ledger::LedgerQuery = query(&req)?;
    let ledger = ledger::ledger(&state.store, &audience, &q, now_ms()).await?;
    let (bytes, content_type, ext) = match q.format {
        ledger::Format::Json => return crate::reply::json(&req, &ledger),
        ledger::Format::Csv => (ledger_export::csv(&ledger)?, "text/csv; charset=utf-8", "csv"),
        ledger::Format::Xlsx => {
            (ledger_export::xlsx(&ledger)?, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
        }
    };
    let name = format!("attachment; filename=\"ledger-{}-{}.{ext}\"", q.from, q.to);
    Ok(HttpResponse::Ok().content_type(content_type).insert_header(("content-disposition", name)).body(bytes))
}
