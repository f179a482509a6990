//! Request-level payload classes on the JSON routes (`/v1/sync`, `/v1/auth/login`,
//! `/v1/admin/assignments`) and the paged list routes: each refused whole with a JSON 4xx,
//! nothing written.

use anyhow::Result;

use super::table::{Case, Fixture, Who, run};

const MIB: usize = 1024 * 1024;

/// A login body for the officer with `password`, on a new device.
fn login_text(username: &str, password: &str) -> String {
    format!(
        r#"{{"username":"{username}","password":"{password}","device":{{"device_id":"0192f0c1-0000-7000-8000-00000000dead","public_key":"7UkoxijRwsbq6QM4kFmVYSlZJzpcY_k2NsFGFKyHN9E"}}}}"#
    )
}

fn admin_text(from: &str) -> String {
    format!(r#"{{"officer":"vo-t01-v01","zone":"Z-T01-V02","from":{from}}}"#)
}

fn sync_cases(fx: &Fixture) -> Vec<Case> {
    let sync = |class: &str, body: Vec<u8>| Case::post(format!("sync: {class}"), "/v1/sync", body);
    let hlc = fx.officer.hlc.to_string();
    let mut invalid_utf8 = fx.sync_text(r#""events":[],"cursors":{"county":0}"#);
    let at = invalid_utf8.len() - 3;
    invalid_utf8.splice(at..at, [0xC3, 0x28]);
    vec![
        sync("empty body", Vec::new()).answer(400, "malformed_request"),
        sync("truncated JSON", b"{\"events\": [".to_vec()).answer(400, "malformed_request"),
        sync("wrong type", fx.sync_text(r#""events":"all of them""#)).answer(400, "malformed_request"),
        sync("JSON null", b"null".to_vec()).answer(400, "malformed_request"),
        sync("trailing bytes after the object", [fx.sync_text(""), b" {}".to_vec()].concat()).answer(400, "malformed_request"),
        sync("UTF-8 byte order mark", [b"\xEF\xBB\xBF".to_vec(), fx.sync_text("")].concat()).answer(400, "malformed_request"),
        sync("deep nesting: 100,000 [ as the body", "[".repeat(100_000).into_bytes()).answer(400, "malformed_request"),
        sync("deep nesting: 100,000 { as a cursor", fx.sync_text(&format!(r#""cursors":{{"county":{}"#, "{\"a\":".repeat(100_000))))
            .answer(400, "malformed_request"),
        sync("invalid UTF-8 outside strings", invalid_utf8).answer(400, "malformed_request"),
        sync("invalid UTF-8 in a string", [format!("{{\"hlc\":\"{hlc}").into_bytes(), vec![0xFF, b'"', b'}']].concat())
            .answer(400, "malformed_request"),
        sync("lone high surrogate \\ud800", fx.sync_text(r#""cursors":{"village:\ud800":0}"#)).answer(400, "malformed_request"),
        sync("lone low surrogate \\udc00 in hlc", br#"{"hlc":"\udc00"}"#.to_vec()).answer(400, "malformed_request"),
        sync("NaN page size", fx.sync_text(r#""limit":NaN"#)).answer(400, "malformed_request"),
        sync("Infinity page size", fx.sync_text(r#""limit":Infinity"#)).answer(400, "malformed_request"),
        sync("1e400 page size", fx.sync_text(r#""limit":1e400"#)).answer(400, "malformed_request"),
        sync("1e400 cursor", fx.sync_text(r#""cursors":{"county":1e400}"#)).answer(400, "malformed_request"),
        sync("-1 cursor", fx.sync_text(r#""cursors":{"county":-1}"#)).answer(400, "malformed_request"),
        sync("page size 10^9", fx.sync_text(r#""limit":1000000000"#)).answer(400, "malformed_request"),
        sync("page size 0", fx.sync_text(r#""limit":0"#)).answer(400, "malformed_request"),
        sync("page size -1", fx.sync_text(r#""limit":-1"#)).answer(400, "malformed_request"),
        sync("page size 2^32", fx.sync_text(r#""limit":4294967296"#)).answer(400, "malformed_request"),
        sync("page size as text", fx.sync_text(r#""limit":"10""#)).answer(400, "malformed_request"),
        sync("page size 10.5", fx.sync_text(r#""limit":10.5"#)).answer(400, "malformed_request"),
        sync("NaN in a track, inside an event", fx.sync_text(r#""events":[{"body":{"track":[[1764131257000,NaN,255000000]]}}]"#))
            .answer(400, "malformed_request"),
        sync("Infinity as a finding's latitude", fx.sync_text(r#""events":[{"body":{"location":{"lon":1,"lat":Infinity}}}]"#))
            .answer(400, "malformed_request"),
        sync("duplicate key events", fx.sync_text(r#""events":[],"events":[]"#)).answer(400, "malformed_request"),
        sync("duplicate key hlc", fx.sync_text(&format!(r#""hlc":"{hlc}""#))).answer(400, "malformed_request"),
        sync("duplicate cursor bucket", fx.sync_text(r#""cursors":{"county":0,"county":5}"#)).answer(400, "malformed_request"),
        sync("unknown key", fx.sync_text(r#""events":[],"admin":true"#)).answer(400, "malformed_request"),
        sync("traversal-shaped bucket", fx.sync_text(r#""cursors":{"village:../../etc":0}"#)).answer(400, "malformed_request"),
        sync("oversized batch: 1,001 events", fx.sync_text(&format!(r#""events":[{}{{}}]"#, "{},".repeat(1_000))))
            .answer(400, "malformed_request"),
        sync("10 MB string", fx.sync_text(&format!(r#""x":"{}""#, "a".repeat(10 * MIB)))).answer(413, "payload_too_large"),
        sync("7 MB string under the limit", format!(r#"{{"hlc":"{}"}}"#, "1".repeat(7 * MIB)).into_bytes())
            .answer(400, "malformed_request"),
        sync("no token", fx.sync_text("")).by(Who::Nobody).answer(401, "unauthenticated"),
        sync("an 8 KB token", fx.sync_text(""))
            .by(Who::Nobody)
            .header("authorization", format!("Bearer {}", "a".repeat(8_000)))
            .answer(401, "unauthenticated"),
    ]
}

fn login_cases() -> Vec<Case> {
    let login = |class: &str, body: String| Case::post(format!("login: {class}"), "/v1/auth/login", body).by(Who::Nobody);
    let mut invalid_utf8 = login_text("vo-t01-v01", "pw").into_bytes();
    invalid_utf8[15] = 0xFF;
    vec![
        login("deep nesting: 10,000 [ (within 16 KiB)", "[".repeat(10_000)).answer(400, "malformed_request"),
        login("deep nesting: 100,000 [ (over 16 KiB)", "[".repeat(100_000)).answer(413, "payload_too_large"),
        Case::post("login: invalid UTF-8 in the username", "/v1/auth/login", invalid_utf8).by(Who::Nobody).answer(400, "malformed_request"),
        login("lone surrogate in the password", login_text("vo-t01-v01", r"\ud800")).answer(400, "malformed_request"),
        login("NaN as the password", login_text("vo-t01-v01", "x").replace(r#""x""#, "NaN")).answer(400, "malformed_request"),
        login("1e400 as the username", login_text("x", "pw").replace(r#""x""#, "1e400")).answer(400, "malformed_request"),
        login("duplicate key username", login_text("vo-t01-v01", "pw").replacen('{', r#"{"username":"admin","#, 1))
            .answer(400, "malformed_request"),
        login("unknown key", login_text("vo-t01-v01", "pw").replacen('{', r#"{"role":"admin","#, 1)).answer(400, "malformed_request"),
        login("10 MB username", login_text(&"u".repeat(10 * MIB), "pw")).answer(413, "payload_too_large"),
        login("10 KB username (under the limit)", login_text(&"u".repeat(10_000), "wrong password")).answer(401, "invalid_credentials"),
        login("a 10 KB password", login_text("vo-t01-v01", &"p".repeat(10_000))).answer(401, "invalid_credentials"),
    ]
}

fn admin_cases() -> Vec<Case> {
    let admin = |class: &str, body: String| Case::post(format!("admin: {class}"), "/v1/admin/assignments", body).by(Who::Admin);
    vec![
        admin("NaN time", admin_text("NaN")).answer(400, "malformed_request"),
        admin("Infinity time", admin_text("Infinity")).answer(400, "malformed_request"),
        admin("1e400 time", admin_text("1e400")).answer(400, "malformed_request"),
        admin("1e18 time", admin_text("1000000000000000000")).answer(400, "malformed_request"),
        admin("negative time", admin_text("-1")).answer(400, "malformed_request"),
        admin("time as a float", admin_text("1795668528000.5")).answer(400, "malformed_request"),
        admin("duplicate key zone", admin_text("1795668528000").replacen('{', r#"{"zone":"Z-T01-V01","#, 1))
            .answer(400, "malformed_request"),
        admin("unknown key", admin_text("1795668528000").replacen('{', r#"{"force":true,"#, 1)).answer(400, "malformed_request"),
        admin("deep nesting", "[".repeat(10_000)).answer(400, "malformed_request"),
        admin("lone surrogate in the officer", admin_text("1795668528000").replace("vo-t01-v01", r"\udfff"))
            .answer(400, "malformed_request"),
        admin("by a village officer", admin_text("1795668528000")).by(Who::Officer).answer(403, "forbidden"),
    ]
}

fn list_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for route in ["/v1/flags", "/v1/evidence/missing"] {
        for (class, query, status, code) in [
            ("page size 10^9", "limit=1000000000", 400, "malformed_request"),
            ("page size 0", "limit=0", 400, "malformed_request"),
            ("page size -1", "limit=-1", 400, "malformed_request"),
            ("page size 2^32", "limit=4294967296", 400, "malformed_request"),
            ("page size not a number", "limit=abc", 400, "malformed_request"),
            ("page size NaN", "limit=NaN", 400, "malformed_request"),
            ("page size twice", "limit=1&limit=2", 400, "malformed_request"),
            ("cursor NaN", "before=NaN", 400, "malformed_request"),
            ("cursor 1e400", "before=1e400", 400, "malformed_request"),
            ("unknown key", "admin=true", 400, "malformed_request"),
            ("traversal-shaped village", "village=..%2F..%2Fetc", 400, "malformed_request"),
            ("lone surrogate (percent-encoded)", "village=%ED%A0%80", 400, "malformed_request"),
            ("the largest page", "limit=5000", 200, ""),
        ] {
            cases.push(Case::get(format!("{route}: {class}"), format!("{route}?{query}")).answer(status, code));
        }
    }
    cases
}

#[tokio::test]
async fn request_level_payloads_are_refused_whole_and_change_nothing() -> Result<()> {
    let fx = Fixture::start(&[]).await?;
    let cases = [sync_cases(&fx), login_cases(), admin_cases(), list_cases()].into_iter().flatten().collect();
    run(&fx, cases).await
}
