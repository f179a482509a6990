//! The server's layers, checked on its source (`src/**/*.rs`, comments left out): no driver's type
//! (SQLite's or PostgreSQL's) and no SQL outside `src/store/`, and each layer uses only those below it (`http` → `service` →
//! `store`), so that the rules of DESIGN.md stay true as the code changes.

use std::path::{Path, PathBuf};

/// Every Rust file under `src/`, as (path relative to `src/`, text).
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    walk(&root, &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p.strip_prefix(&root).map(|r| r.to_string_lossy().replace('\\', "/")).unwrap_or_default(), text)
        })
        .collect()
}

/// The code of `text` without its comments, and its string literals (plain and raw), in order.
fn split(text: &str) -> (String, Vec<String>) {
    let chars: Vec<char> = text.chars().collect();
    let (mut code, mut strings) = (String::new(), Vec::new());
    let mut i = 0;
    while i < chars.len() {
        let rest = &chars[i..];
        if rest.starts_with(&['/', '/']) {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if rest.starts_with(&['/', '*']) {
            i += 2;
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if let Some((len, body)) = raw_string(rest) {
            code.push_str(&rest[..len].iter().collect::<String>());
            strings.push(body);
            i += len;
        } else if chars[i] == '"' {
            let mut body = String::new();
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                body.extend(chars.get(i));
                i += 1;
            }
            i += 1;
            code.push_str(&format!("\"{body}\""));
            strings.push(body);
        } else if chars[i] == '\'' && (rest.get(2) == Some(&'\'') || (rest.get(1) == Some(&'\\') && rest.get(3) == Some(&'\''))) {
            // A character literal such as '"' or '\'': not the start of a string.
            let len = if rest.get(1) == Some(&'\\') { 4 } else { 3 };
            i += len;
        } else {
            code.push(chars[i]);
            i += 1;
        }
    }
    (code, strings)
}

/// `r"…"` or `r#"…"#` at the start of `s`: its length and its body.
fn raw_string(s: &[char]) -> Option<(usize, String)> {
    if s.first() != Some(&'r') {
        return None;
    }
    let hashes = s[1..].iter().take_while(|c| **c == '#').count();
    if s.get(1 + hashes) != Some(&'"') {
        return None;
    }
    let start = 2 + hashes;
    let close: Vec<char> = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
    let end = (start..s.len()).find(|&j| s[j..].starts_with(&close))?;
    Some((end + close.len(), s[start..end].iter().collect()))
}

/// Whether a string literal is SQL: a statement's keywords, in capitals, as the store writes them.
fn is_sql(s: &str) -> bool {
    let words: Vec<&str> = s.split(|c: char| !c.is_ascii_alphanumeric() && c != '_').filter(|w| !w.is_empty()).collect();
    let has = |w: &str| words.contains(&w);
    let pair = |a: &str, b: &str| words.windows(2).any(|p| p[0] == a && p[1] == b);
    (has("SELECT") && (has("FROM") || words.len() <= 4))
        || pair("INSERT", "INTO")
        || (has("UPDATE") && has("SET"))
        || pair("DELETE", "FROM")
        || pair("CREATE", "TABLE")
        || pair("CREATE", "INDEX")
        || pair("CREATE", "TRIGGER")
        || has("PRAGMA")
        || has("SAVEPOINT")
}

/// Whether `code` names a database driver: `rusqlite`, or `postgres` other than as the store's
/// engine module (`store::postgres`).
fn names_driver(code: &str) -> bool {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut start = 0;
    for (i, c) in code.char_indices().chain(std::iter::once((code.len(), ' '))) {
        if is_word(c) {
            continue;
        }
        let word = &code[start..i];
        let engine_module = code[..start].ends_with("store::");
        match word {
            "rusqlite" | "libsqlite3_sys" => return true,
            "postgres" | "tokio_postgres" if !engine_module => return true,
            _ => {}
        }
        start = i + c.len_utf8();
    }
    false
}

#[test]
fn no_sqlite_type_and_no_sql_outside_the_store() {
    let mut found = Vec::new();
    for (path, text) in sources() {
        if path.starts_with("store/") {
            continue;
        }
        let (code, strings) = split(&text);
        if names_driver(&code) {
            found.push(format!("{path}: names a database driver"));
        }
        found.extend(strings.iter().filter(|s| is_sql(s)).map(|s| format!("{path}: SQL {:?}", s.trim())));
    }
    assert!(found.is_empty(), "only server/src/store/ may hold a database driver and SQL:\n{}", found.join("\n"));
}

#[test]
fn each_layer_uses_only_those_below_it() {
    // (files, what they must not name)
    let rules: [(&str, &[&str]); 4] = [
        ("store/", &["crate::service", "crate::http", "crate::app", "crate::tools", "actix_web"]),
        ("service/", &["crate::http", "crate::app", "crate::tools", "crate::store::sqlite", "crate::store::postgres", "actix_web"]),
        ("http/", &["crate::store::sqlite", "crate::store::postgres", "crate::tools"]),
        ("tools/reference/", &["crate::http", "crate::app", "actix_web"]),
    ];
    let mut found = Vec::new();
    for (path, text) in sources() {
        let (code, _) = split(&text);
        for (dir, banned) in &rules {
            if path.starts_with(dir) {
                found.extend(banned.iter().filter(|b| code.contains(*b)).map(|b| format!("{path} names {b}")));
            }
        }
    }
    assert!(found.is_empty(), "a layer reaches above (or around) itself:\n{}", found.join("\n"));
}

/// A handler parses, authorises, calls one use case and maps its result: it may hand the store to
/// a use case (`&*county.store`), never call the store's methods itself (`county.store.patrol(…)`).
#[test]
fn handlers_call_use_cases_not_the_store() {
    let found: Vec<String> = sources()
        .into_iter()
        .filter(|(path, _)| path.starts_with("http/"))
        .filter(|(_, text)| split(text).0.contains(".store."))
        .map(|(path, _)| format!("{path} calls the store's methods"))
        .collect();
    assert!(found.is_empty(), "a handler goes around the use cases:\n{}", found.join("\n"));
}

/// The public functions of `code` whose signature (up to its body) names `StoreError` as their
/// error: `pub fn` or `pub async fn`, not `pub(super)` and the like.
fn public_store_errors(code: &str) -> Vec<String> {
    code.match_indices("pub ")
        .filter_map(|(i, _)| {
            let rest = &code[i + 4..];
            let rest = rest.strip_prefix("async ").unwrap_or(rest).strip_prefix("fn ")?;
            let signature = &rest[..rest.find('{').unwrap_or(rest.len())];
            let error = signature.rsplit_once("->").map(|(_, r)| r)?;
            let named = error.split(|c: char| !c.is_ascii_alphanumeric() && c != '_').any(|w| w == "StoreError");
            named.then(|| signature.split('(').next().unwrap_or_default().trim().to_owned())
        })
        .collect()
}

/// Each use case has its own error type, which `http/` maps: no public function of `service/`
/// gives a bare `StoreError` to its handler.
#[test]
fn use_cases_have_their_own_errors() {
    let found: Vec<String> = sources()
        .into_iter()
        .filter(|(path, _)| path.starts_with("service/"))
        .flat_map(|(path, text)| public_store_errors(&split(&text).0).into_iter().map(move |f| format!("{path}: {f}")))
        .collect();
    assert!(found.is_empty(), "a use case returns the store's error, not its own:\n{}", found.join("\n"));
    let sample = "pub async fn a(x: u8) -> Result<u8, StoreError> { 1 } pub(super) fn b() -> Result<(), StoreError> {} \
                  pub fn c() -> Result<(), CaseError> {} pub fn d(e: StoreError) -> u8 {}";
    assert_eq!(public_store_errors(sample), vec!["a".to_owned()]);
}

#[test]
fn the_scan_finds_sql_and_the_driver_in_code_and_not_in_prose() {
    let sample = r##"
        //! Reads the rows: SELECT what is needed FROM the table, INSERT INTO nothing.
        use rusqlite::Connection; // rusqlite in a comment is prose
        /* UPDATE x SET y */
        const Q: &str = "SELECT id FROM events WHERE seq = ?1";
        const R: &str = r#"INSERT INTO flags (kind) VALUES ("x")"#;
        let c = '"'; let url = "http://example"; let m = "an UPDATE is due";
    "##;
    let (code, strings) = split(sample);
    assert!(names_driver(&code));
    assert!(names_driver("let c = postgres::Client::connect(url);"));
    assert!(!names_driver("use crate::store::postgres::migrate;"), "the engine's module is not the driver");
    assert!(!names_driver("let url = postgres_url;"), "a word that contains a driver's name is not it");
    let sql: Vec<&String> = strings.iter().filter(|s| is_sql(s)).collect();
    assert_eq!(sql.len(), 2, "{sql:?}");
    assert!(!code.contains("SELECT what"), "doc comments are left out");
    assert!(!names_driver(&split("let x = 1; // rusqlite").0), "comments are left out");
    assert!(strings.contains(&"http://example".to_string()), "a char literal '\"' does not open a string");
}
