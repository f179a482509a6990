//! A county's own certificate authority, made at test time (rcgen): its CA certificate, and a
//! server certificate for `localhost` and `127.0.0.1` signed by it, as the PEM files an
//! administrator would install, and the settings that make the server serve HTTPS from them.

use anyhow::{Context, Result};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use std::path::{Path, PathBuf};

/// The county CA's certificate, and the server's certificate and key signed by it, as PEM files.
#[derive(Debug, Clone)]
pub struct CountyPki {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl CountyPki {
    /// Makes a new CA and a server certificate it signs, written into `dir`.
    pub fn new(dir: &Path) -> Result<CountyPki> {
        let ca_key = KeyPair::generate()?;
        let mut ca = CertificateParams::new(Vec::<String>::new())?;
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name.push(DnType::CommonName, "县国土资源局 county CA (test)");
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
        let ca_cert = ca.self_signed(&ca_key)?;
        let issuer = Issuer::new(ca, ca_key);
        let server_key = KeyPair::generate()?;
        let server = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])?;
        let server_cert = server.signed_by(&server_key, &issuer)?;
        let pki = CountyPki { ca: dir.join("county-ca.pem"), cert: dir.join("server.pem"), key: dir.join("server-key.pem") };
        std::fs::write(&pki.ca, ca_cert.pem())?;
        std::fs::write(&pki.cert, server_cert.pem())?;
        std::fs::write(&pki.key, server_key.serialize_pem())?;
        Ok(pki)
    }

    /// The CA file's path, as `login --ca-file` takes it.
    pub fn ca_file(&self) -> Result<&str> {
        self.ca.to_str().context("a utf-8 path")
    }

    /// The server's settings to serve HTTPS from the certificate and key.
    pub fn tls_env(&self) -> Result<[(&'static str, &str); 2]> {
        Ok([
            ("PATROLSYNC_TLS_CERT_FILE", self.cert.to_str().context("a utf-8 path")?),
            ("PATROLSYNC_TLS_KEY_FILE", self.key.to_str().context("a utf-8 path")?),
        ])
    }
}
