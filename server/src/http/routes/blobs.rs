//! `HEAD`/`PUT`/`GET /v1/blobs/{sha256}`: evidence bytes by their SHA-256, uploaded resumably
//! (`Upload-Offset`) by the authors of attachments naming them, readable only by those who may
//! see such an attachment whose author proved holding the bytes.

use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, web};
use sync_protocol::body::BlobHash;
use sync_protocol::wire::evidence::UPLOAD_OFFSET;

use crate::http::county::County;
use crate::http::error::ApiError;
use crate::http::principal::Principal;
use crate::service::evidence::{self, BlobState, Uploaded};

fn parse_hash(path: &str) -> Result<BlobHash, ApiError> {
    path.parse().map_err(|e: sync_protocol::ValidationError| ApiError::MalformedRequest(e.to_string()))
}

/// A numeric request header; `None` when absent.
fn number(req: &HttpRequest, name: &str) -> Result<Option<u64>, ApiError> {
    let Some(value) = req.headers().get(name) else { return Ok(None) };
    let text = value.to_str().ok().filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()));
    text.and_then(|t| t.parse().ok()).map(Some).ok_or_else(|| ApiError::MalformedRequest(format!("{name} is not a byte count")))
}

fn with_offset(mut builder: HttpResponseBuilder, offset: u64) -> HttpResponseBuilder {
    builder.insert_header((HeaderName::from_static(UPLOAD_OFFSET), offset));
    builder
}

pub async fn head(county: County, principal: Principal, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let hash = parse_hash(&path)?;
    match evidence::state(&county, principal.scope, &principal.user.id, hash).await? {
        BlobState::Complete { size, media_type } => Ok(HttpResponse::Ok()
            .content_type(media_type.as_str())
            .body(actix_web::body::SizedStream::new(size, futures_util::stream::empty::<Result<web::Bytes, ApiError>>()))),
        BlobState::Incomplete { offset } => {
            let mut response = ApiError::NotFound.error_response_with_offset(offset);
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(response)
        }
    }
}

pub async fn put(
    county: County,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    principal.require_any(&evidence::UPLOADERS)?;
    let hash = parse_hash(&path)?;
    let at = number(&req, UPLOAD_OFFSET)?.unwrap_or(0);
    let length = number(&req, header::CONTENT_LENGTH.as_str())?;
    Ok(match evidence::upload(&county, principal.scope, &principal.user.id, hash, at, length, body).await? {
        Uploaded::Created { size } => with_offset(HttpResponse::Created(), size).finish(),
        Uploaded::AlreadyStored { size } => with_offset(HttpResponse::Ok(), size).finish(),
        Uploaded::Partial { offset } => with_offset(HttpResponse::NoContent(), offset).finish(),
    })
}

pub async fn get(county: County, principal: Principal, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let hash = parse_hash(&path)?;
    let (size, media_type, bytes) = evidence::download(&county, principal.scope, &principal.user.id, hash).await?;
    Ok(HttpResponse::Ok()
        .content_type(media_type.as_str())
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{hash}\"")))
        .insert_header((header::CACHE_CONTROL, "private"))
        .body(actix_web::body::SizedStream::new(size, bytes)))
}
