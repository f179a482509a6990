//! The server's one error type for clients, mapped to an HTTP status in one exhaustive match, and
//! every use case's error mapped to it (each `From` is exhaustive too). Every error a client sees
//! is `{"error": {"code": "...", "message": "..."}}`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use sync_protocol::wire::{ErrorBody, ErrorDetail};

use sync_protocol::wire::evidence::UPLOAD_OFFSET;

use crate::codec::BodyError;
use crate::service::admin::AdminError;
use crate::service::cases::CaseError;
use crate::service::counties::CountyError;
use crate::service::evidence::EvidenceError;
use crate::service::health::NotLive;
use crate::service::login::LoginError;
use crate::service::officials::OfficialError;
use crate::service::patrols::PatrolError;
use crate::service::people::PeopleError;
use crate::service::principal::{AuthError, Forbidden};
use crate::service::projection::ProjectionError;
use crate::service::reports::ReportError;
use crate::service::roster::{RosterError, RosterProblems};
use crate::service::sync::SyncError;
use crate::store::blobs::BlobError;
use crate::store::{Conflict, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("authentication required: {0}")]
    Unauthenticated(String),
    #[error("wrong username or password")]
    InvalidCredentials,
    #[error("too many attempts: retry in {0} s")]
    TooManyRequests(u64),
    #[error("{0}")]
    Forbidden(String),
    #[error("this is a one-time password: log in with a new password (一次性密码：请设置新密码)")]
    PasswordChangeRequired,
    #[error("{0}")]
    NewPasswordRefused(String),
    /// A roster with problems: every one is listed, by row and column, and nothing is imported.
    #[error("the roster is refused; nothing was imported:\n{0}")]
    RosterRefused(RosterProblems),
    #[error("the roster could not be handled: {0}")]
    Roster(String),
    #[error("not found")]
    NotFound,
    /// The request contradicts what is stored (a device bound to another user, another key, a
    /// revoked device, …): its code and status depend on the kind.
    #[error(transparent)]
    Stored(Conflict),
    #[error("{0}")]
    Conflict(String),
    #[error("malformed request: {0}")]
    MalformedRequest(String),
    #[error("the request body did not arrive in time")]
    RequestTimeout,
    #[error("request body larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("unsupported content encoding {0:?}: use gzip, zstd or none")]
    UnsupportedEncoding(String),
    #[error("unsupported content type {0:?}: send application/json")]
    UnsupportedMediaType(String),
    #[error("the upload holds {0} bytes: resume from there")]
    UploadOffset(u64),
    #[error("{0}")]
    BlobRefused(String),
    #[error("blob storage is not available; retry later")]
    BlobStorage(#[source] std::io::Error),
    #[error("the store is not available; retry later")]
    Unavailable(#[source] StoreError),
    #[error("not ready: {0}")]
    NotReady(#[from] crate::service::health::NotReady),
    #[error("internal error")]
    Internal(#[source] StoreError),
    #[error("internal error")]
    Crashed(#[source] crate::pool::Dropped),
    #[error("internal error")]
    Reply(#[source] serde_json::Error),
    #[error("the export could not be written")]
    Export(#[from] crate::service::reports::ledger_export::ExportError),
}

impl ApiError {
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthenticated(_) => "unauthenticated",
            ApiError::InvalidCredentials => "invalid_credentials",
            ApiError::TooManyRequests(_) => "too_many_requests",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::PasswordChangeRequired => "password_change_required",
            ApiError::NewPasswordRefused(_) => "new_password_refused",
            ApiError::RosterRefused(_) => "roster_refused",
            ApiError::Roster(_) => "internal",
            ApiError::NotFound => "not_found",
            ApiError::Stored(Conflict::DeviceTaken) => "device_taken",
            ApiError::Stored(Conflict::DeviceKeyMismatch) => "device_key_mismatch",
            ApiError::Stored(Conflict::DeviceRevoked) => "device_revoked",
            ApiError::Stored(Conflict::NotAVillageOfficer(_) | Conflict::SizesOutOfOrder { .. }) => "conflict",
            ApiError::Stored(Conflict::UserExists(_)) => "user_exists",
            ApiError::Stored(Conflict::CountyExists) => "county_exists",
            ApiError::Stored(Conflict::Misplaced(..)) => "role_units_mismatch",
            ApiError::Stored(Conflict::ZoneElsewhere { .. }) => "zone_elsewhere",
            ApiError::Conflict(_) => "conflict",
            ApiError::MalformedRequest(_) => "malformed_request",
            ApiError::RequestTimeout => "request_timeout",
            ApiError::PayloadTooLarge(_) => "payload_too_large",
            ApiError::UnsupportedEncoding(_) => "unsupported_encoding",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::UploadOffset(_) => "upload_offset_mismatch",
            ApiError::BlobRefused(_) => "blob_refused",
            ApiError::BlobStorage(_) => "blob_storage_unavailable",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::NotReady(_) => "not_ready",
            ApiError::Internal(_) | ApiError::Crashed(_) | ApiError::Reply(_) | ApiError::Export(_) => "internal",
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(c) => ApiError::Stored(c),
            StoreError::NotFound { .. } => ApiError::NotFound,
            e if e.is_permanent() => ApiError::Internal(e),
            e => ApiError::Unavailable(e),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Unauthenticated(_) | ApiError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Forbidden(_) | ApiError::Stored(Conflict::DeviceRevoked) | ApiError::PasswordChangeRequired => StatusCode::FORBIDDEN,
            ApiError::NewPasswordRefused(_) | ApiError::RosterRefused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Roster(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Stored(
                Conflict::DeviceTaken
                | Conflict::DeviceKeyMismatch
                | Conflict::NotAVillageOfficer(_)
                | Conflict::SizesOutOfOrder { .. }
                | Conflict::UserExists(_)
                | Conflict::CountyExists
                | Conflict::Misplaced(..)
                | Conflict::ZoneElsewhere { .. },
            )
            | ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::MalformedRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedEncoding(_) | ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::UploadOffset(_) => StatusCode::CONFLICT,
            ApiError::BlobRefused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::BlobStorage(_) | ApiError::Unavailable(_) | ApiError::NotReady(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) | ApiError::Crashed(_) | ApiError::Reply(_) | ApiError::Export(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(e) | ApiError::Unavailable(e) = self {
            tracing::error!(cause = e.cause(), error = ?e, "request failed in the store: {e}");
        }
        if let ApiError::BlobStorage(e) = self {
            tracing::error!(error = ?e, "request failed in the blob store");
        }
        let body = ErrorBody { error: ErrorDetail { code: self.code().into(), message: self.to_string() } };
        let mut builder = HttpResponse::build(self.status_code());
        // The body was left unread: close the connection rather than read what is left of it as
        // the next request.
        if matches!(self, ApiError::RequestTimeout | ApiError::PayloadTooLarge(_) | ApiError::UnsupportedMediaType(_)) {
            builder.force_close();
        }
        let mut response = builder.json(body);
        if matches!(self, ApiError::Unauthenticated(_)) {
            response
                .headers_mut()
                .insert(actix_web::http::header::WWW_AUTHENTICATE, actix_web::http::header::HeaderValue::from_static("Bearer"));
        }
        if let ApiError::TooManyRequests(seconds) = self {
            response.headers_mut().insert(actix_web::http::header::RETRY_AFTER, (*seconds).into());
        }
        if let ApiError::UploadOffset(offset) = self
            && let Ok(value) = actix_web::http::header::HeaderValue::from_str(&offset.to_string())
        {
            response.headers_mut().insert(actix_web::http::header::HeaderName::from_static(UPLOAD_OFFSET), value);
        }
        response
    }
}

impl ApiError {
    /// A 429 asking to wait `wait` (rounded up to whole seconds, at least one).
    pub fn retry_after(wait: std::time::Duration) -> ApiError {
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        ApiError::TooManyRequests(seconds.max(1))
    }

    /// This error's response carrying `Upload-Offset` (a 404 for a visible, incomplete blob).
    pub fn error_response_with_offset(&self, offset: u64) -> HttpResponse {
        let mut response = self.error_response();
        response.headers_mut().insert(actix_web::http::header::HeaderName::from_static(UPLOAD_OFFSET), offset.into());
        response
    }
}

impl From<BlobError> for ApiError {
    fn from(e: BlobError) -> Self {
        match e {
            BlobError::OffsetMismatch { current } => ApiError::UploadOffset(current),
            BlobError::Refused(why) => ApiError::BlobRefused(why),
            BlobError::TooLarge { limit } => ApiError::PayloadTooLarge(usize::try_from(limit).unwrap_or(usize::MAX)),
            BlobError::Missing => ApiError::NotFound,
            e @ BlobError::Interrupted { .. } => ApiError::MalformedRequest(e.to_string()),
            BlobError::Io(e) => ApiError::BlobStorage(e),
        }
    }
}

impl From<BodyError> for ApiError {
    fn from(e: BodyError) -> Self {
        match e {
            BodyError::TooLarge(limit) => ApiError::PayloadTooLarge(limit),
            BodyError::UnsupportedEncoding(encoding) => ApiError::UnsupportedEncoding(encoding),
            BodyError::Malformed(why) => ApiError::MalformedRequest(why),
        }
    }
}

impl From<Forbidden> for ApiError {
    fn from(e: Forbidden) -> Self {
        ApiError::Forbidden(e.to_string())
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Store(e) => e.into(),
            e @ (AuthError::MissingToken
            | AuthError::NotBearer
            | AuthError::Token(_)
            | AuthError::NoSession
            | AuthError::Disabled
            | AuthError::Revoked
            | AuthError::OtherCounty) => ApiError::Unauthenticated(e.to_string()),
        }
    }
}

impl From<OfficialError> for ApiError {
    fn from(e: OfficialError) -> Self {
        match e {
            OfficialError::InvalidCredentials => ApiError::InvalidCredentials,
            OfficialError::Throttled(wait) => ApiError::retry_after(wait),
            e @ (OfficialError::MissingToken | OfficialError::Token(_)) => ApiError::Unauthenticated(e.to_string()),
            e @ OfficialError::NotAnOfficial => ApiError::Forbidden(e.to_string()),
        }
    }
}

impl From<CountyError> for ApiError {
    fn from(e: CountyError) -> Self {
        match e {
            e @ CountyError::Unknown(_) => ApiError::Unauthenticated(e.to_string()),
            e @ CountyError::Unnamed => ApiError::MalformedRequest(e.to_string()),
            e @ CountyError::OtherCounty { .. } => ApiError::Forbidden(e.to_string()),
        }
    }
}

impl From<LoginError> for ApiError {
    fn from(e: LoginError) -> Self {
        match e {
            LoginError::InvalidCredentials => ApiError::InvalidCredentials,
            LoginError::Throttled(wait) => ApiError::retry_after(wait),
            e @ (LoginError::RefreshReused | LoginError::SessionEnded) => ApiError::Unauthenticated(e.to_string()),
            LoginError::Token(e) => ApiError::Unauthenticated(format!("cannot issue a token: {e}")),
            LoginError::PasswordChangeRequired => ApiError::PasswordChangeRequired,
            LoginError::NewPassword(e) => e.into(),
            LoginError::Store(e) => e.into(),
        }
    }
}

impl From<CaseError> for ApiError {
    fn from(e: CaseError) -> Self {
        match e {
            CaseError::Query(e) => ApiError::MalformedRequest(e.to_string()),
            CaseError::NotFound => ApiError::NotFound,
            CaseError::Store(e) => e.into(),
        }
    }
}

impl From<PatrolError> for ApiError {
    fn from(e: PatrolError) -> Self {
        match e {
            PatrolError::NotFound => ApiError::NotFound,
            PatrolError::Store(e) => e.into(),
        }
    }
}

impl From<ProjectionError> for ApiError {
    fn from(ProjectionError(e): ProjectionError) -> Self {
        e.into()
    }
}

impl From<NotLive> for ApiError {
    fn from(NotLive(e): NotLive) -> Self {
        e.into()
    }
}

impl From<SyncError> for ApiError {
    fn from(e: SyncError) -> Self {
        match e {
            e @ SyncError::TooManyEvents(_) => ApiError::MalformedRequest(e.to_string()),
            SyncError::PageSize(e) => ApiError::MalformedRequest(e.to_string()),
            SyncError::Checks(e) => ApiError::Crashed(e),
            SyncError::Store(e) => e.into(),
        }
    }
}

impl From<AdminError> for ApiError {
    fn from(e: AdminError) -> Self {
        match e {
            AdminError::Invalid(e) => ApiError::MalformedRequest(e.to_string()),
            e @ AdminError::OwnAccount => ApiError::Conflict(e.to_string()),
            AdminError::Store(e) => e.into(),
        }
    }
}

impl From<PeopleError> for ApiError {
    fn from(e: PeopleError) -> Self {
        match e {
            PeopleError::Invalid(e) => ApiError::MalformedRequest(e.to_string()),
            e @ (PeopleError::NewPassword(_) | PeopleError::SamePassword) => ApiError::NewPasswordRefused(e.to_string()),
            e @ PeopleError::WrongPassword => ApiError::Forbidden(e.to_string()),
            PeopleError::Throttled(wait) => ApiError::retry_after(wait),
            PeopleError::Store(e) => e.into(),
        }
    }
}

impl From<RosterError> for ApiError {
    fn from(e: RosterError) -> Self {
        match e {
            RosterError::Invalid(problems) => ApiError::RosterRefused(problems),
            e @ (RosterError::Unreadable(_) | RosterError::NotAnAdmin(_)) => ApiError::MalformedRequest(e.to_string()),
            RosterError::Encode(e) | RosterError::Check(e) => ApiError::Roster(e),
            RosterError::Store(e) => e.into(),
        }
    }
}

impl From<EvidenceError> for ApiError {
    fn from(e: EvidenceError) -> Self {
        match e {
            EvidenceError::NotFound => ApiError::NotFound,
            e @ EvidenceError::NotTheAuthor => ApiError::Forbidden(e.to_string()),
            EvidenceError::Blob(e) => e.into(),
            EvidenceError::Store(e) => e.into(),
        }
    }
}

impl From<ReportError> for ApiError {
    fn from(e: ReportError) -> Self {
        match e {
            ReportError::Forbidden(why) => ApiError::Forbidden(why.into()),
            ReportError::NotFound => ApiError::NotFound,
            e @ (ReportError::Range { .. } | ReportError::OneSubject | ReportError::SizesOutOfOrder { .. }) => {
                ApiError::MalformedRequest(e.to_string())
            }
            ReportError::Query(e) => ApiError::MalformedRequest(e.to_string()),
            ReportError::Export(e) => ApiError::Export(e),
            ReportError::Evidence(e) => e.into(),
            ReportError::Store(e) => e.into(),
        }
    }
}
