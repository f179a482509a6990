//! The sync layer's one error type, and the one place that decides what an HTTP status means.
//! Every error knows whether retrying can help (`is_permanent`), and the upload loop uses it.

use sync_protocol::wire::{ErrorBody, ErrorDetail};

use crate::replica::ReplicaError;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// No token, an expired one, or the server answered 401: the outbox waits for a new login.
    #[error("{username} must log in again (需要重新登录): {why}")]
    NeedsLogin { username: String, why: String },
    #[error("wrong username or password (用户名或密码错误)")]
    InvalidCredentials,
    #[error("this phone's identity is registered to another user (设备已绑定其他用户)")]
    DeviceTaken,
    #[error("the server refused the request ({status} {code}): {message}")]
    Refused { status: u16, code: String, message: String },
    #[error("the server failed ({status} {code}): {message}")]
    Server { status: u16, code: String, message: String },
    #[error("could not reach the server at {url} (网络不可用)")]
    Network {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("{0:?} is not a server URL (服务器地址无效; expected https://host:port)")]
    BadUrl(String),
    /// Plain `http://` to a host other than this machine, without `--allow-plain-http`.
    #[error(
        "refusing plain http:// to {url}: the password and the patrols would cross the network unencrypted \
         (拒绝明文 HTTP 连接：密码和巡查记录将不加密传输). Use https://, or add --allow-plain-http to the login \
         if this network is trusted (请改用 https://；如确为可信内网，登录时加 --allow-plain-http)"
    )]
    PlainHttp { url: String },
    /// The server's TLS certificate did not verify against the system's roots and the county CA.
    #[error(
        "the server at {url} presented a certificate this phone does not trust (服务器证书不受信任): {problem}. \
         If the county uses its own CA, log in again with --ca-file (如县局使用自建证书，请用 --ca-file 重新登录)"
    )]
    UntrustedServer { url: String, problem: String },
    #[error("the county CA file cannot be used (证书文件无效): {0}")]
    CaFile(String),
    #[error("the server's reply could not be read")]
    BadReply(#[source] serde_json::Error),
    /// The server's log does not extend the one this phone witnessed: shorter (rolled back, a lost
    /// WAL) or rewritten. Nothing of the reply was applied.
    #[error(
        "the server's records do not extend what this phone saw it sign (服务器数据与本机见证的记录不一致，可能被回退或篡改): {0}. \
         Nothing was applied and pending events stay on the phone; tell the county administrator (请联系县局管理员)"
    )]
    ServerLog(#[source] sync_protocol::merkle::witness::WitnessError),
    #[error("the server expects seq {expected} again, which it refused before: {pending} events cannot be sent")]
    Stalled { expected: u64, pending: u64 },
    #[error("could not encode the request")]
    Encode(#[source] std::io::Error),
    #[error("could not start fetching pages ahead")]
    Fetcher(#[source] std::io::Error),
    #[error(transparent)]
    Replica(#[from] ReplicaError),
}

impl From<rusqlite::Error> for SyncError {
    fn from(e: rusqlite::Error) -> Self {
        SyncError::Replica(ReplicaError::Db(e))
    }
}

impl SyncError {
    /// Whether retrying the same thing later cannot help: a login, a fix or a person is needed.
    pub fn is_permanent(&self) -> bool {
        match self {
            SyncError::NeedsLogin { .. }
            | SyncError::InvalidCredentials
            | SyncError::DeviceTaken
            | SyncError::Refused { .. }
            | SyncError::BadUrl(_)
            | SyncError::PlainHttp { .. }
            | SyncError::UntrustedServer { .. }
            | SyncError::CaFile(_)
            | SyncError::ServerLog(_)
            | SyncError::Stalled { .. }
            | SyncError::Encode(_) => true,
            SyncError::Server { .. } | SyncError::Network { .. } | SyncError::BadReply(_) => false,
            // Out of threads or file handles for a moment.
            SyncError::Fetcher(_) => false,
            // A busy or full disk may clear; a missing identity or a corrupt file will not.
            SyncError::Replica(e) => !matches!(e, ReplicaError::Db(_)),
        }
    }

    /// Whether the officer has to log in again before sync can go on.
    pub fn needs_login(&self) -> bool {
        matches!(self, SyncError::NeedsLogin { .. })
    }
}

/// The error for a non-2xx reply with status `status` and body `body` (an `ErrorBody`, or
/// anything else a proxy may have put there). `username` is who the request was for.
pub fn from_status(status: u16, body: &[u8], username: &str) -> SyncError {
    let detail = serde_json::from_slice::<ErrorBody>(body).map(|b| b.error).unwrap_or_else(|_| ErrorDetail {
        code: "unknown".into(),
        message: String::from_utf8_lossy(&body[..body.len().min(200)]).trim().to_owned(),
    });
    let ErrorDetail { code, message } = detail;
    match status {
        401 if code == "invalid_credentials" => SyncError::InvalidCredentials,
        401 => SyncError::NeedsLogin { username: username.to_owned(), why: format!("the server answered {code}: {message}") },
        409 if code == "device_taken" => SyncError::DeviceTaken,
        // Timeouts and rate limits pass; other client errors will not.
        408 | 429 => SyncError::Server { status, code, message },
        400..=499 => SyncError::Refused { status, code, message },
        _ => SyncError::Server { status, code, message },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(code: &str) -> Vec<u8> {
        format!(r#"{{"error":{{"code":"{code}","message":"m"}}}}"#).into_bytes()
    }

    #[test]
    fn statuses_map_to_errors_that_know_if_a_retry_helps() {
        let cases: [(u16, Vec<u8>, bool, &str); 8] = [
            (401, body("unauthenticated"), true, "NeedsLogin"),
            (401, body("invalid_credentials"), true, "InvalidCredentials"),
            (409, body("device_taken"), true, "DeviceTaken"),
            (413, body("payload_too_large"), true, "Refused"),
            (400, body("malformed_request"), true, "Refused"),
            (429, body("slow_down"), false, "Server"),
            (503, b"<html>gateway</html>".to_vec(), false, "Server"),
            (500, body("internal"), false, "Server"),
        ];
        for (status, b, permanent, name) in cases {
            let e = from_status(status, &b, "vo-1");
            assert_eq!(e.is_permanent(), permanent, "{status}: {e}");
            assert!(format!("{e:?}").starts_with(name), "{status}: {e:?}");
        }
        assert!(from_status(401, &body("unauthenticated"), "vo-1").needs_login());
        assert!(from_status(503, b"<html>gateway</html>", "x").to_string().contains("gateway"));
    }
}
