//! How a phone reaches its server: HTTPS with rustls, trusting the system's roots plus the county
//! CA given at login, and plain HTTP only to this machine unless the officer allowed it.

use std::error::Error as _;
use std::net::IpAddr;

use super::SyncError;
use crate::replica::Transport;

/// Whether `url` may be used with `transport`: `https` always, `http` only to a loopback host
/// (`localhost`, 127.0.0.0/8, `::1`) or when plain HTTP was allowed explicitly. Anything else is
/// [`SyncError::BadUrl`] or [`SyncError::PlainHttp`].
pub(crate) fn check_url(base: &str, transport: &Transport) -> Result<reqwest::Url, SyncError> {
    let url = reqwest::Url::parse(base).map_err(|_| SyncError::BadUrl(base.to_owned()))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if transport.allow_plain_http || url.host_str().is_some_and(is_loopback) => Ok(url),
        "http" => Err(SyncError::PlainHttp { url: base.to_owned() }),
        _ => Err(SyncError::BadUrl(base.to_owned())),
    }
}

/// `localhost` or a loopback address (an IPv6 one comes in brackets from the URL).
fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The certificates of a county CA file (PEM, one or more). A file with none is refused.
pub fn parse_ca(pem: &str) -> Result<Vec<reqwest::Certificate>, SyncError> {
    let certs = reqwest::Certificate::from_pem_bundle(pem.as_bytes()).map_err(|e| SyncError::CaFile(e.to_string()))?;
    if certs.is_empty() {
        return Err(SyncError::CaFile("no PEM certificate (-----BEGIN CERTIFICATE-----) in it".into()));
    }
    Ok(certs)
}

/// An HTTP client that speaks TLS with rustls over the system's roots and the transport's CA.
pub(crate) fn client(builder: reqwest::ClientBuilder, transport: &Transport) -> Result<reqwest::ClientBuilder, SyncError> {
    let mut builder = builder.use_rustls_tls().tls_built_in_root_certs(true);
    if let Some(pem) = &transport.ca_pem {
        for cert in parse_ca(pem)? {
            builder = builder.add_root_certificate(cert);
        }
    }
    Ok(builder)
}

/// The certificate problem behind a failed request, if that is why it failed: the server's
/// certificate is not signed by a trusted CA, has expired, names another host...
pub(crate) fn certificate_problem(error: &reqwest::Error) -> Option<String> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = error.source();
    while let Some(c) = cause {
        if let Some(rustls::Error::InvalidCertificate(problem)) = c.downcast_ref::<rustls::Error>() {
            return Some(format!("{problem:?}"));
        }
        cause = next_cause(c);
    }
    None
}

/// The error under `e`. An `io::Error` hides the error it wraps from `source()` (it answers that
/// error's own source), and the TLS stack wraps io errors in io errors: step into it instead.
fn next_cause<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a (dyn std::error::Error + 'static)> {
    match e.downcast_ref::<std::io::Error>() {
        Some(io) => io.get_ref().map(|inner| inner as &(dyn std::error::Error + 'static)),
        None => e.source(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_loopback_unless_allowed() {
        let strict = Transport::default();
        for ok in ["https://patrol.example.cn", "http://127.0.0.1:8080", "http://127.9.0.1", "http://localhost:1", "http://[::1]:80"] {
            assert!(check_url(ok, &strict).is_ok(), "{ok}");
        }
        for refused in ["http://10.0.0.2:8080", "http://patrol.example.cn", "http://[2001:db8::1]/", "http://localhost.evil.cn"] {
            let e = check_url(refused, &strict).expect_err(refused);
            assert!(matches!(e, SyncError::PlainHttp { .. }), "{refused}: {e:?}");
            assert!(e.to_string().contains("明文") && e.to_string().contains("--allow-plain-http"), "{e}");
            assert!(e.is_permanent());
        }
        let lax = Transport { allow_plain_http: true, ..Transport::default() };
        assert!(check_url("http://10.0.0.2:8080", &lax).is_ok());
        assert!(matches!(check_url("ftp://10.0.0.2", &lax), Err(SyncError::BadUrl(_))));
        assert!(matches!(check_url("not a url", &lax), Err(SyncError::BadUrl(_))));
    }

    #[test]
    fn a_certificate_error_is_found_under_io_errors_wrapped_in_io_errors() {
        let rustls_error = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let wrapped = std::io::Error::other(std::io::Error::new(std::io::ErrorKind::InvalidData, rustls_error));
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&wrapped);
        let mut found = None;
        while let Some(c) = cause {
            if let Some(rustls::Error::InvalidCertificate(p)) = c.downcast_ref::<rustls::Error>() {
                found = Some(format!("{p:?}"));
            }
            cause = next_cause(c);
        }
        assert_eq!(found.as_deref(), Some("UnknownIssuer"));
    }

    #[test]
    fn a_ca_file_without_certificates_is_refused() {
        assert!(matches!(parse_ca("hello"), Err(SyncError::CaFile(_))));
        assert!(matches!(parse_ca(""), Err(SyncError::CaFile(_))));
    }
}
