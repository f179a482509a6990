//! HTTPS end to end: a county CA and a server certificate made at test time (rcgen); the server
//! serves TLS itself from them. A phone given the CA (`login --ca-file`) logs in, syncs and uploads
//! evidence over TLS and remembers the CA; a phone without it refuses the server with a bilingual
//! message; plain http:// to another host is refused before anything is sent or stored.

use anyhow::{Context, Result};
use patrolsync_tests::DEMO_PASSWORD;
use patrolsync_tests::app::{TestApp, spawn_app};
use patrolsync_tests::device::{DeviceCli, write_walk};
use patrolsync_tests::photo::{PhotoExif, jpeg};
use patrolsync_tests::pki::CountyPki;
use patrolsync_tests::raw::now_ms;
use patrolsync_tests::snapshot::Snapshot;
use std::collections::BTreeMap;
use sync_protocol::ids::ZoneId;

const OFFICER: &str = "vo-t01-v01";

fn tls_server(pki: &CountyPki) -> Result<TestApp> {
    TestApp::spawn(&pki.tls_env()?)
}

fn stderr_of(phone: &DeviceCli, args: &[&str]) -> Result<String> {
    let out = phone.output(args)?;
    anyhow::ensure!(!out.status.success(), "patrol-device {} succeeded", args.join(" "));
    Ok(String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_phone_with_the_county_ca_logs_in_syncs_and_uploads_evidence_over_tls() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let pki = CountyPki::new(dir.path())?;
    let server = tls_server(&pki)?;
    assert_eq!(server.scheme, "https");
    let url = server.url();
    let phone = DeviceCli::new(dir.path().join("officer.db"));
    let ca = pki.ca_file()?;
    phone.run(&["login", "--server", &url, "--user", OFFICER, "--password", DEMO_PASSWORD, "--ca-file", ca])?;
    phone.run(&["sync"])?;

    let zone = ZoneId::new("Z-T01-V01")?;
    let start = now_ms() as i64 - 3_600_000;
    let track = write_walk(dir.path(), "walk.gpx", &zone, start, 30, 1)?;
    let patrol = phone.record_patrol(&track, &["--findings"])?;
    let photo = dir.path().join("photo.jpg");
    std::fs::write(&photo, jpeg(None::<&PhotoExif>, 20_000, 7))?;
    phone.run(&["attach", "--patrol", &patrol.to_string(), "--file", photo.to_str().context("path")?])?;
    // The CA was remembered: this sync gives no --ca-file.
    let out = phone.run(&["sync"])?;
    assert!(out.contains("1 uploaded"), "{out}");
    let status = phone.status()?;
    assert_eq!(status["pending"], 0, "{status}");
    assert_eq!(status["sent"], 2, "the patrol and its attachment: {status}");

    let blobs = server.sql()?.count("SELECT count(*) FROM blobs", &[])?;
    assert_eq!(blobs, 1, "the photo's bytes reached the server over TLS");
    Ok(())
}

#[test]
fn a_phone_without_the_county_ca_refuses_the_server_and_stores_nothing() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let pki = CountyPki::new(dir.path())?;
    let server = tls_server(&pki)?;
    let phone = DeviceCli::new(dir.path().join("officer.db"));
    let before = Snapshot::of(&server)?;
    let err = stderr_of(&phone, &["login", "--server", &server.url(), "--user", OFFICER, "--password", DEMO_PASSWORD])?;
    assert!(err.contains("服务器证书不受信任") && err.contains("does not trust") && err.contains("--ca-file"), "{err}");
    assert!(err.contains("UnknownIssuer"), "names the problem: {err}");

    // A CA file that is not one is refused before any connection.
    let bogus = dir.path().join("not-a-ca.pem");
    std::fs::write(&bogus, "hello\n")?;
    let err = stderr_of(
        &phone,
        &["login", "--server", &server.url(), "--user", OFFICER, "--password", DEMO_PASSWORD, "--ca-file", bogus.to_str().context("path")?],
    )?;
    assert!(err.contains("证书文件无效"), "{err}");

    // Another CA, made the same way, does not vouch for this server either.
    let other = CountyPki::new(&std::fs::create_dir_all(dir.path().join("other")).map(|()| dir.path().join("other"))?)?;
    let err = stderr_of(
        &phone,
        &[
            "login",
            "--server",
            &server.url(),
            "--user",
            OFFICER,
            "--password",
            DEMO_PASSWORD,
            "--ca-file",
            other.ca.to_str().context("path")?,
        ],
    )?;
    assert!(err.contains("服务器证书不受信任"), "{err}");
    let whoami = phone.output(&["whoami"])?;
    assert!(!whoami.status.success(), "no identity was stored on the phone");
    assert_eq!(Snapshot::of(&server)?.changes_since(&before), BTreeMap::new(), "nothing reached the server's store");
    Ok(())
}

#[test]
fn plain_http_to_another_host_is_refused_before_anything_is_sent() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let phone = DeviceCli::new(dir.path().join("officer.db"));
    // A documentation-range address (RFC 5737): never contacted, the URL is refused first.
    for url in ["http://192.0.2.10:8080", "http://patrol.example.cn"] {
        let err = stderr_of(&phone, &["login", "--server", url, "--user", OFFICER, "--password", DEMO_PASSWORD])?;
        assert!(err.contains("拒绝明文 HTTP") && err.contains("--allow-plain-http"), "{err}");
    }
    assert!(!phone.output(&["whoami"])?.status.success(), "no identity was stored");

    // Loopback stays allowed without the flag (the quick start), and the phone keeps working.
    let server = spawn_app()?;
    phone.login(&server.url(), OFFICER, DEMO_PASSWORD)?;
    phone.run(&["sync"])?;
    Ok(())
}
