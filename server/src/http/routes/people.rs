//! People administration: `POST /v1/admin/users` (enrol), `PATCH /v1/admin/users/{id}` (change),
//! `POST /v1/admin/users/{id}/reset-password` (admin only); `POST /v1/auth/password` (any user,
//! their own); `GET /v1/audit/access` (the access log, county roles only); `POST` and `GET
//! /v1/admin/roster` (the roster imported in the admin's name, and exported).

use actix_web::{HttpRequest, HttpResponse, web};
use sync_protocol::body::Role;

use super::query;
use crate::http::AppState;
use crate::http::county::County;
use crate::http::error::ApiError;
use crate::http::principal::{Admin, Principal};
use crate::http::reply::json;
use crate::service::people;
use crate::service::roster::{self, Format, Language, RosterOptions};

/// The largest body of these requests, bytes.
const MAX_BODY: usize = 16 * 1024;

pub async fn add_user(
    state: web::Data<AppState>,
    county: County,
    Admin(principal): Admin,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let request = crate::http::body::json(&req, payload, MAX_BODY, state.body_timeout).await?;
    Ok(HttpResponse::Created().json(people::add_user(&county, principal.user.id, request).await?))
}

pub async fn change_user(
    state: web::Data<AppState>,
    county: County,
    Admin(principal): Admin,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let user = super::admin::user_id(&path)?;
    let change = crate::http::body::json(&req, payload, MAX_BODY, state.body_timeout).await?;
    let event = people::change_user(&county, principal.user.id, user, change).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "event": event })))
}

pub async fn reset_password(county: County, Admin(principal): Admin, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = super::admin::user_id(&path)?;
    Ok(HttpResponse::Ok().json(people::reset_password(&county, principal.user.id, user).await?))
}

pub async fn change_password(
    state: web::Data<AppState>,
    county: County,
    principal: Principal,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let request = crate::http::body::json(&req, payload, MAX_BODY, state.body_timeout).await?;
    let event = people::change_own_password(&county, &principal, request).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "event": event })))
}

pub async fn access_log(county: County, principal: Principal, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    // The county's roles: its auditors and commissioners, and the admin who answers for accounts.
    if !matches!(principal.user.role, Role::CountyAuditor | Role::Commissioner | Role::Admin) {
        return Err(ApiError::Forbidden("the access log is for the county's roles".into()));
    }
    json(&req, &people::access_log(&county, query(&req)?).await?)
}

/// `POST /v1/admin/roster?format=csv|xlsx&dry_run=true`: the body is the roster file.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RosterImportQuery {
    format: String,
    #[serde(default)]
    dry_run: bool,
}

/// `GET /v1/admin/roster?format=csv|xlsx&language=en|zh`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RosterExportQuery {
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    language: Option<String>,
}

fn roster_format(s: &str) -> Result<Format, ApiError> {
    Format::parse(s).ok_or_else(|| ApiError::MalformedRequest(format!("format {s:?}: csv or xlsx")))
}

pub async fn import_roster(
    state: web::Data<AppState>,
    county: County,
    Admin(principal): Admin,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let q: RosterImportQuery = query(&req)?;
    let format = roster_format(&q.format)?;
    let bytes = crate::http::body::bytes(&req, payload, roster::MAX_ROSTER_BYTES, state.body_timeout).await?;
    let options = RosterOptions { dry_run: q.dry_run };
    let summary = roster::import(&*county.store, bytes, format, principal.user.id, options, std::sync::Arc::new(|_| {})).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "dry_run": q.dry_run, "summary": summary })))
}

pub async fn export_roster(county: County, _: Admin, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let q: RosterExportQuery = query(&req)?;
    let format = roster_format(q.format.as_deref().unwrap_or("csv"))?;
    let language = match q.language.as_deref() {
        None | Some("en") => Language::English,
        Some("zh") => Language::Chinese,
        Some(other) => return Err(ApiError::MalformedRequest(format!("language {other:?}: en or zh"))),
    };
    let bytes = roster::export(&*county.store, format, language).await?;
    let (content_type, ext) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::Xlsx => ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    };
    let name = format!("attachment; filename=\"roster.{ext}\"");
    Ok(HttpResponse::Ok().content_type(content_type).insert_header(("content-disposition", name)).body(bytes))
}
