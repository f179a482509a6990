//! HTTPS served by the server itself: the `[tls]` settings (a PEM certificate chain and its
//! private key) and the rustls configuration made from them, read once at start.

#[cfg(feature = "http")]
use std::path::Path;
use std::path::PathBuf;

#[cfg(feature = "http")]
use rustls::pki_types::pem::PemObject;
#[cfg(feature = "http")]
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The `[tls]` settings: both files, or neither (plain HTTP, e.g. behind a reverse proxy that
/// terminates TLS).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TlsSettings {
    /// The server's certificate chain, PEM: the server's certificate first, then the
    /// intermediates (a county CA's root need not be in it: phones hold it).
    pub cert_file: Option<PathBuf>,
    /// The private key of that certificate, PEM (PKCS#8, PKCS#1 or SEC1). Keep it mode 0600.
    pub key_file: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("[tls] needs both cert_file and key_file (or neither, for plain HTTP)")]
    Incomplete,
    #[error("cannot read the TLS file {path}: {problem}")]
    File { path: PathBuf, problem: String },
    #[cfg(feature = "http")]
    #[error("the TLS certificate and key do not make a server configuration")]
    Config(#[source] rustls::Error),
}

impl TlsSettings {
    /// Whether the server speaks HTTPS (both files given); an incomplete pair is an error.
    pub fn enabled(&self) -> Result<bool, TlsError> {
        match (&self.cert_file, &self.key_file) {
            (Some(_), Some(_)) => Ok(true),
            (None, None) => Ok(false),
            _ => Err(TlsError::Incomplete),
        }
    }

    #[cfg(feature = "http")]
    /// The rustls server configuration of the two files (TLS 1.2 and 1.3), or `None` for
    /// plain HTTP.
    pub fn server_config(&self) -> Result<Option<rustls::ServerConfig>, TlsError> {
        let (Some(cert_file), Some(key_file)) = (&self.cert_file, &self.key_file) else {
            return self.enabled().map(|_| None);
        };
        let chain = certificates(cert_file)?;
        let key = PrivateKeyDer::from_pem_file(key_file).map_err(|e| file_error(key_file, e))?;
        // The process's one crypto provider: ring, the only one built in.
        let config = rustls::ServerConfig::builder().with_no_client_auth().with_single_cert(chain, key).map_err(TlsError::Config)?;
        Ok(Some(config))
    }
}

#[cfg(feature = "http")]
fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let chain = CertificateDer::pem_file_iter(path).map_err(|e| file_error(path, e))?.collect::<Result<Vec<_>, _>>();
    match chain.map_err(|e| file_error(path, e))? {
        chain if chain.is_empty() => Err(TlsError::File { path: path.into(), problem: "no PEM certificate in it".into() }),
        chain => Ok(chain),
    }
}

#[cfg(feature = "http")]
fn file_error(path: &Path, e: rustls::pki_types::pem::Error) -> TlsError {
    TlsError::File { path: path.into(), problem: e.to_string() }
}

#[cfg(all(test, feature = "http"))]
mod tests {
    use super::*;

    #[test]
    fn both_files_or_neither() {
        assert!(!TlsSettings::default().enabled().expect("neither"));
        let half = TlsSettings { cert_file: Some("a.pem".into()), key_file: None };
        assert!(matches!(half.enabled(), Err(TlsError::Incomplete)));
        assert!(matches!(half.server_config(), Err(TlsError::Incomplete)));
        let missing = TlsSettings { cert_file: Some("/nonexistent/a.pem".into()), key_file: Some("/nonexistent/k.pem".into()) };
        assert!(matches!(missing.server_config(), Err(TlsError::File { .. })));
    }

    #[test]
    fn a_file_without_a_certificate_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cert = dir.path().join("cert.pem");
        std::fs::write(&cert, "not a certificate\n").expect("write");
        let settings = TlsSettings { cert_file: Some(cert.clone()), key_file: Some(cert) };
        let e = settings.server_config().expect_err("no certificate");
        assert!(e.to_string().contains("no PEM certificate"), "{e}");
    }
}
