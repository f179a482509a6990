//! Golden wire files: one sealed example event of every kind and version the protocol has (fixed
//! keys, ids and HLCs, see `golden/examples.rs`), frozen in `tests/golden/`: the event as
//! `serde_json` writes it (`<name>.json`), the canonical bytes that are hashed
//! (`<name>.canonical`), and every hash, signature and key (`hashes.txt`).
//!
//! - The examples, rebuilt from code, give the files byte for byte: any change to the wire
//!   format, the canonical encoding or the hash fails.
//! - Every kind and version of the kind table (`sync_protocol::body::KINDS`) has a golden file.
//! - Every golden file still reads, parses for its kind, and hashes and verifies as recorded.
//!
//! A deliberate change of the format regenerates the files (then review the diff and bump the
//! protocol version if old devices are affected); a new kind adds its example and its files:
//!
//! ```sh
//! UPDATE_GOLDEN=1 cargo test -p patrolsync-tests --test api golden:: -- --test-threads=1
//! ```

mod examples;

use anyhow::{Context, Result, bail};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use sync_protocol::body::{Body, KINDS};
use sync_protocol::crypto::PublicKey;
use sync_protocol::event::Event;

use examples::{Example, examples};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("golden")
}

/// The signature in its wire form (unpadded base64url).
fn sig(e: &Event) -> String {
    serde_json::to_value(e.sig).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn wire(event: &Event) -> Vec<u8> {
    let mut text = serde_json::to_vec(event).expect("json");
    text.push(b'\n');
    text
}

fn hashes(examples: &[Example]) -> Vec<u8> {
    let mut text = String::from("# name hash sig public-key (see tests/tests/api/golden.rs; UPDATE_GOLDEN=1 regenerates)\n");
    for x in examples {
        text.push_str(&format!("{} {} {} {}\n", x.name, x.event.hash.to_hex(), sig(&x.event), x.key.public().to_base64()));
    }
    text.into_bytes()
}

/// The names of the golden events on disk (`<name>.json`).
fn golden_names() -> Result<BTreeSet<String>> {
    let mut names = BTreeSet::new();
    for entry in std::fs::read_dir(dir())? {
        let file = entry?.file_name().to_string_lossy().into_owned();
        if let Some(name) = file.strip_suffix(".json") {
            names.insert(name.to_owned());
        }
    }
    Ok(names)
}

#[test]
fn golden_events_are_rebuilt_byte_for_byte() -> Result<()> {
    let examples = examples();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for x in &examples {
        files.push((format!("{}.json", x.name), wire(&x.event)));
        files.push((format!("{}.canonical", x.name), x.canonical.clone()));
    }
    files.push(("hashes.txt".into(), hashes(&examples)));

    if std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(dir())?;
        for (name, bytes) in &files {
            std::fs::write(dir().join(name), bytes)?;
        }
        eprintln!("golden files written to {}", dir().display());
    }
    let mut differ = Vec::new();
    for (name, bytes) in &files {
        let golden = std::fs::read(dir().join(name)).with_context(|| format!("tests/golden/{name} is missing"))?;
        if &golden != bytes {
            differ.push(name.clone());
        }
    }
    assert!(
        differ.is_empty(),
        "the wire format or the hash changed for {differ:?}; if that is intended, run \
         `UPDATE_GOLDEN=1 cargo test -p patrolsync-tests --test api golden:: -- --test-threads=1` and review the diff"
    );
    let names: BTreeSet<String> = examples.iter().map(|x| x.name.clone()).collect();
    assert_eq!(golden_names()?, names, "every golden file is an example, and every example has its files");
    Ok(())
}

#[test]
fn every_kind_and_version_of_the_table_has_a_golden_file() -> Result<()> {
    let mut present = BTreeSet::new();
    for name in golden_names()? {
        let event: Event = serde_json::from_slice(&std::fs::read(dir().join(format!("{name}.json")))?)?;
        let version = event.body["v"].as_u64().with_context(|| format!("{name}: no version"))?;
        present.insert((event.kind, version));
    }
    let missing: Vec<String> = KINDS
        .iter()
        .flat_map(|k| k.versions.iter().map(move |v| (k.name.to_owned(), *v)))
        .filter(|kv| !present.contains(kv))
        .map(|(k, v)| format!("{k} v{v}"))
        .collect();
    assert!(missing.is_empty(), "no golden file for {missing:?}: add an example to tests/tests/api/golden/examples.rs");
    Ok(())
}

/// `hashes.txt`: name → (hash, signature, public key).
fn recorded() -> Result<BTreeMap<String, (String, String, String)>> {
    let text = std::fs::read_to_string(dir().join("hashes.txt"))?;
    let mut out = BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let [name, hash, sig, key] = line.split(' ').collect::<Vec<_>>()[..] else { bail!("hashes.txt: bad line {line:?}") };
        out.insert(name.to_owned(), (hash.to_owned(), sig.to_owned(), key.to_owned()));
    }
    Ok(out)
}

#[test]
fn golden_files_read_parse_and_hash_as_recorded() -> Result<()> {
    let recorded = recorded()?;
    assert_eq!(recorded.keys().cloned().collect::<BTreeSet<_>>(), golden_names()?, "hashes.txt lists every golden event");
    for (name, (hash, signature, key)) in &recorded {
        let text = std::fs::read(dir().join(format!("{name}.json")))?;
        let event: Event = serde_json::from_slice(&text).with_context(|| format!("{name}: the event no longer reads"))?;
        assert_eq!(wire(&event), text, "{name}: the wire form reads back and writes the same bytes");
        event.check_hash().with_context(|| format!("{name}: hash"))?;
        assert_eq!((&event.hash.to_hex(), &sig(&event)), (hash, signature), "{name}: hash and signature as recorded");
        let key: PublicKey = key.parse().with_context(|| format!("{name}: key"))?;
        assert!(key.verify(&event.hash, &event.sig), "{name}: signature");
        let canonical = std::fs::read(dir().join(format!("{name}.canonical")))?;
        assert_eq!(event.draft().canonical_bytes()?, canonical, "{name}: canonical bytes");
        let body = Body::parse(&event.kind, &event.body).with_context(|| format!("{name}: the body no longer parses"))?;
        if event.body["v"].as_u64() == Some(body.current_version()) {
            assert_eq!(body.to_value(), event.body, "{name}: the current version writes back the body it read");
        }
    }
    // The worked example of docs/protocol.md, computed independently (Python, hashlib).
    let (hash, signature, _) = &recorded["00-zero_report.filed-v1-protocol-doc"];
    assert_eq!(hash, "e505e6533f621dae573c66b21d1b6e120b8e2924139b16efa52b4a1f6c3111c9");
    assert_eq!(signature, "CQaDrJ-AWdR6gFYx403X1pcj_7EKrgi44c6yTfGrSwPK4JVuiPMWu5QxJyv9oF9phTiH1RclXMhiAqTt8rK8CA");
    Ok(())
}
