//! The tamper-evident log through the real server: the county auditor's checkpoints and the proofs
//! that a later one extends an earlier one; the evidence tables refusing UPDATE and DELETE; and
//! `audit verify` finding, and locating, each change an attacker holding the database file makes
//! after dropping the triggers: a row edited, deleted, reordered, the log truncated, a leaf edited,
//! and a history rewritten and re-signed with the key in the file (caught by a kept checkpoint).

use anyhow::{Context, Result, ensure};
use patrolsync_server::store::sqlite::ReadOnly;
use patrolsync_tests::app::spawn_app;
use patrolsync_tests::photo::{jpeg, jpeg_attachment};
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::server::{TestServer, server_binary};
use patrolsync_tests::site::Site;
use patrolsync_tests::tracks;
use reqwest::StatusCode;
use rusqlite::{Connection, params};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use sync_protocol::body::{Body, FindingKind, SubjectKind, ZeroReportFiled};
use sync_protocol::crypto::{DeviceKey, Hash};
use sync_protocol::event::Event;
use sync_protocol::ids::ZoneId;
use sync_protocol::merkle::{Checkpoint, Frontier, LogLeaf, SignedCheckpoint, verify_extension};
use sync_protocol::values::IsoWeek;
use sync_protocol::wire::audit::{CheckpointReply, ConsistencyReply};
use sync_protocol::wire::{AckStatus, RejectReason};

const OFFICER: &str = "vo-t01-v01";
const MARK: &str = "tamper-mark-AAAA";
const EVIDENCE: [&str; 7] = ["events", "quarantine", "attachments", "blobs", "blob_holders", "merkle_leaves", "merkle_checkpoints"];

/// Pushes a history with every kind of leaf: accepted events, an event kept as rejected, a
/// quarantined forgery, an attachment and its blob; then `patrols` more patrols. Returns the zero
/// report that carries [`MARK`].
async fn history(server: &Site, patrols: u64) -> Result<Event> {
    let mut d = server.device(OFFICER).await?;
    let zone = ZoneId::new("Z-T01-V01")?;
    let start = now_ms() as i64 - 12 * 3_600_000;
    let patrol = d.seal(&tracks::patrol(&zone, start, 20, 1));
    let finding = d.seal(&tracks::finding(&zone, patrol.id, start + 60_000, FindingKind::UnlicensedMining, None));
    let photo = jpeg(None, 2_000, 7);
    let attachment = d.seal(&jpeg_attachment(SubjectKind::Finding, finding.id, &photo));
    let week = IsoWeek::of_ms(now_ms() as i64);
    let zero =
        d.seal(&Body::ZeroReportFiled(ZeroReportFiled { officer: d.user.clone(), week, zone: Some(zone.clone()), note: MARK.into() }));
    let unknown = d.seal_value("no_such.kind", json!({"v": 1}));
    let (next_seq, head) = (d.next_seq, d.head);
    let mut forged = d.seal(&tracks::patrol(&zone, start + 600_000, 20, 2));
    forged.body["summary"] = json!("edited after signing");
    (d.next_seq, d.head) = (next_seq, head);
    let reply = d.sync(&[patrol, finding, attachment, zero.clone(), unknown, forged]).await?;
    let got: Vec<_> = reply.acks.iter().map(|a| (a.status, a.reason)).collect();
    let accepted = (AckStatus::Accepted, None);
    let rejected = |r| (AckStatus::Rejected, Some(r));
    let expected = [accepted, accepted, accepted, accepted, rejected(RejectReason::UnknownKind), rejected(RejectReason::BadHash)];
    ensure!(got == expected, "acks {got:?}");
    let put = d.http.put(format!("{}/v1/blobs/{}", d.url, patrolsync_tests::photo::sha256_hex(&photo)));
    let put = put.bearer_auth(d.token.as_deref().unwrap_or_default()).header("upload-offset", 0).body(photo).send().await?;
    ensure!(put.status() == StatusCode::CREATED, "blob upload answered {}", put.status());
    for i in 0..patrols {
        let p = d.seal(&tracks::patrol(&zone, start + (i as i64 + 2) * 3_600_000, 20, 10 + i));
        ensure!(d.sync(&[p]).await?.acks[0].status == AckStatus::Accepted);
    }
    Ok(zero)
}

async fn checkpoint(auditor: &RawDevice) -> Result<SignedCheckpoint> {
    let (status, body) = auditor.audit_checkpoint().await?;
    ensure!(status == StatusCode::OK, "checkpoint answered {status}: {body}");
    let reply: CheckpointReply = serde_json::from_value(body)?;
    ensure!(SignedCheckpoint::from_note(&reply.note)? == reply.checkpoint, "the note says what the JSON says");
    Ok(reply.checkpoint)
}

/// Runs the server's command line; returns whether it succeeded and its standard output.
fn command(args: &[&str], db: &Path) -> Result<(bool, String)> {
    let out = std::process::Command::new(server_binary()).args(args).arg("--db").arg(db).output()?;
    Ok((out.status.success(), String::from_utf8(out.stdout)?))
}

/// One problem `audit verify` reported: `(leaf, at, problem)`.
type Problem = (Option<u64>, String, String);

/// `audit verify --json`, with a kept checkpoint file if given: success, and each problem.
fn verify(db: &Path, kept: Option<&Path>) -> Result<(bool, Vec<Problem>)> {
    let mut args = vec!["audit", "verify", "--json"];
    let kept = kept.map(|k| k.display().to_string());
    if let Some(k) = &kept {
        args.extend(["--checkpoint", k]);
    }
    let (ok, out) = command(&args, db)?;
    let report: Value = serde_json::from_str(&out).context("the report's JSON")?;
    let problems = report["problems"].as_array().context("problems")?.iter();
    let problems = problems
        .map(|p| (p["leaf"].as_u64(), p["at"].as_str().unwrap_or("").to_owned(), p["problem"].as_str().unwrap_or("").to_owned()))
        .collect();
    Ok((ok, problems))
}

/// A copy of the stopped server's store, as an attacker holding the file would change it: the
/// triggers dropped, then `sql` run.
fn tampered(server: &Site, name: &str, sql: &str) -> Result<PathBuf> {
    let path = server.dir.path().join(format!("{name}.db"));
    std::fs::copy(server.db(), &path)?;
    let conn = Connection::open(&path)?;
    let triggers: Vec<String> =
        conn.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")?.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    let append_only = triggers.iter().filter(|t| t.ends_with("_no_update") || t.ends_with("_no_delete")).count();
    ensure!(append_only == 2 * EVIDENCE.len(), "{triggers:?}");
    for t in triggers {
        conn.execute_batch(&format!("DROP TRIGGER {t}"))?;
    }
    conn.execute_batch(sql)?;
    Ok(path)
}

/// A history of `patrols`, a checkpoint the auditor keeps outside the server, then the server
/// stopped and its file opened as whoever holds it would (the WAL folded in).
async fn checkpoint_kept_then_stopped(server: &mut TestServer, patrols: u64) -> Result<(Event, SignedCheckpoint, PathBuf, Connection)> {
    let zero = history(server, patrols).await?;
    let signed = checkpoint(&server.device("ca-1").await?).await?;
    let kept = server.dir.path().join("kept.note");
    std::fs::write(&kept, signed.to_note())?;
    server.kill();
    let conn = Connection::open(server.db())?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok((zero, signed, kept, conn))
}

fn one_number(conn: &Connection, sql: &str, arg: impl rusqlite::ToSql) -> Result<i64> {
    Ok(conn.query_row(sql, [arg], |r| r.get(0))?)
}

#[tokio::test]
async fn the_auditor_gets_checkpoints_and_proofs_that_they_extend() -> Result<()> {
    let server = spawn_app()?;
    let auditor = server.device("ca-1").await?;
    let older = checkpoint(&auditor).await?;
    ensure!(older.checkpoint.size > 0, "the demo county's reference events are logged");
    history(&server, 2).await?;
    let newer = checkpoint(&auditor).await?;
    assert_eq!(newer.checkpoint.size, older.checkpoint.size + 9, "7 events, a quarantined push and a blob");

    let (from, to) = (older.checkpoint.size, newer.checkpoint.size);
    let (status, body) = auditor.audit_consistency(&format!("from={from}&to={to}")).await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    let proof: ConsistencyReply = serde_json::from_value(body)?;
    let (_, key) = ReadOnly::open(&server.db())?.log_key()?.context("the server's key")?;
    assert_eq!(verify_extension(&older, &newer, &proof.proof, &key), Ok(()));
    let (_, body) = auditor.audit_checkpoint().await?;
    assert_eq!(serde_json::from_value::<CheckpointReply>(body)?.public_key, key, "the key to pin is the store's");
    let (ok, out) = command(&["audit", "consistency", "--from", &from.to_string(), "--to", &to.to_string()], &server.db())?;
    assert!(ok);
    assert_eq!(serde_json::from_str::<ConsistencyReply>(&out)?, proof, "the command proves what the endpoint proves");

    assert_eq!(auditor.audit_consistency(&format!("from={to}&to={from}")).await?.0, StatusCode::BAD_REQUEST);
    assert_eq!(auditor.audit_consistency(&format!("from=1&to={}", to + 1)).await?.0, StatusCode::NOT_FOUND);
    assert_eq!(auditor.audit_consistency("from=1").await?.0, StatusCode::BAD_REQUEST);
    for user in ["cm-1", "ti-t01-1", OFFICER, "admin"] {
        let d = server.device(user).await?;
        for path in ["/v1/audit/checkpoint", &format!("/v1/audit/consistency?from={from}&to={to}")] {
            assert_eq!(d.get_json(path).await?.0, StatusCode::FORBIDDEN, "{user} {path}");
        }
    }

    // The command signs the same log beside the running server: the same checkpoint, stored once.
    let (ok, note) = command(&["audit", "checkpoint"], &server.db())?;
    assert!(ok);
    assert_eq!(SignedCheckpoint::from_note(&note)?, newer);
    let kept = server.dir.path().join("older.note");
    std::fs::write(&kept, older.to_note())?;
    assert_eq!(verify(&server.db(), Some(&kept))?, (true, vec![]));
    let stored = one_number(&server.open_store()?, "SELECT count(*) FROM merkle_checkpoints WHERE size >= ?1", 0)?;
    assert_eq!(stored, 2);
    Ok(())
}

#[tokio::test]
async fn verify_finds_and_locates_each_change_to_the_store_file() -> Result<()> {
    let mut server = TestServer::start()?;
    let (zero, signed, kept, conn) = checkpoint_kept_then_stopped(&mut server, 3).await?;
    let size = signed.checkpoint.size as i64;
    let kinds = |kind: &str| one_number(&conn, "SELECT count(*) FROM merkle_leaves WHERE kind = ?1", kind);
    assert_eq!((kinds("quarantine")?, kinds("blob")?), (1, 1));
    let rows = one_number(&conn, "SELECT count(*) FROM events WHERE server_seq > ?1", 0)? + 2;
    assert_eq!(rows, size, "one leaf per row");
    let zero_seq = one_number(&conn, "SELECT server_seq FROM events WHERE id = ?1", zero.id.0.as_bytes())?;
    let leaf_of = |seq: i64| one_number(&conn, "SELECT idx FROM merkle_leaves WHERE kind = 'event' AND row_id = ?1", seq);
    let last_seq = one_number(&conn, "SELECT max(server_seq) FROM events WHERE server_seq > ?1", 0)?;
    assert_eq!(leaf_of(last_seq)?, size - 1, "the log ends with the last patrols");

    assert_eq!(verify(&server.db(), Some(&kept))?, (true, vec![]), "an untouched store is whole");
    for table in EVIDENCE {
        for sql in [format!("UPDATE {table} SET rowid = rowid"), format!("DELETE FROM {table}")] {
            let refused = conn.execute(&sql, []).expect_err("evidence is append-only");
            assert!(refused.to_string().starts_with(&format!("{table} is append-only evidence")), "{refused}");
        }
    }

    let not_hashing = "the row does not hash to its leaf: the row or the leaf was changed".to_string();
    let edited = tampered(&server, "edited", &format!("UPDATE events SET raw = replace(raw, '{MARK}', 'tamper-mark-AAAB')"))?;
    assert_eq!(verify(&edited, None)?, (false, vec![(Some(leaf_of(zero_seq)? as u64), format!("event {zero_seq}"), not_hashing.clone())]));

    let deleted = tampered(&server, "deleted", &format!("DELETE FROM events WHERE server_seq = {zero_seq}"))?;
    let missing = "the row is missing: deleted, or its key changed".to_string();
    assert_eq!(verify(&deleted, None)?, (false, vec![(Some(leaf_of(zero_seq)? as u64), format!("event {zero_seq}"), missing)]));

    let (a, b) = (last_seq - 1, last_seq);
    let swap = format!(
        "UPDATE events SET server_seq = -1 WHERE server_seq = {a}; UPDATE events SET server_seq = {a} WHERE server_seq = {b};
         UPDATE events SET server_seq = {b} WHERE server_seq = -1;"
    );
    let (ok, problems) = verify(&tampered(&server, "reordered", &swap)?, None)?;
    assert!(!ok);
    assert_eq!(
        problems,
        vec![
            (Some(leaf_of(a)? as u64), format!("event {a}"), not_hashing.clone()),
            (Some(leaf_of(b)? as u64), format!("event {b}"), not_hashing.clone())
        ]
    );

    // The last two patrols and their leaves removed consistently: only a checkpoint can tell.
    let cut = format!("DELETE FROM events WHERE server_seq >= {a}; DELETE FROM merkle_leaves WHERE idx >= {};", size - 2);
    let truncated = tampered(&server, "truncated", &cut)?;
    let (ok, problems) = verify(&truncated, None)?;
    assert!(!ok);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].1, format!("checkpoint {size}"));
    assert!(problems[0].2.contains("truncated"), "{problems:?}");
    let unsigned = tampered(&server, "truncated-quietly", &format!("{cut} DELETE FROM merkle_checkpoints;"))?;
    assert_eq!(verify(&unsigned, None)?, (true, vec![]), "with the checkpoints gone too, the store alone cannot tell");
    let (ok, problems) = verify(&unsigned, Some(&kept))?;
    assert!(!ok && problems.len() == 1 && problems[0].1 == format!("checkpoint file {size}"), "{problems:?}");

    let leaf = leaf_of(zero_seq)?;
    let (ok, problems) =
        verify(&tampered(&server, "leaf", &format!("UPDATE merkle_leaves SET hash = zeroblob(32) WHERE idx = {leaf}"))?, None)?;
    assert!(!ok);
    assert_eq!(problems[0], (Some(leaf as u64), format!("event {zero_seq}"), not_hashing));
    assert_eq!(problems[1].1, format!("checkpoint {size}"));
    assert!(problems[1].2.contains("do not have this checkpoint's root"), "{problems:?}");
    assert_eq!(problems.len(), 2);

    let (ok, out) = command(&["audit", "verify"], &edited)?;
    assert!(!ok, "the exit status says so");
    assert!(out.contains(&format!("leaf {}, event {zero_seq}: the row does not hash", leaf_of(zero_seq)?)), "{out}");
    Ok(())
}

/// Rewrites the zero report's note and everything that would betray it in the file: its leaf, and
/// the stored checkpoints, re-signed with the server's key (which is in the file).
fn rewrite_and_resign(path: &Path, zero_seq: i64) -> Result<()> {
    let conn = Connection::open(path)?;
    let raw: String = conn.query_row("SELECT raw FROM events WHERE server_seq = ?1", [zero_seq], |r| r.get(0))?;
    let mut event: Event = serde_json::from_str(&raw.replace(MARK, "tamper-mark-AAAB"))?;
    event.hash = event.content_hash()?;
    let leaf = LogLeaf::Event { server_seq: zero_seq as u64, hash: event.hash };
    conn.execute(
        "UPDATE events SET raw = ?2, hash = ?3 WHERE server_seq = ?1",
        params![zero_seq, serde_json::to_string(&event)?, event.hash.0],
    )?;
    conn.execute("UPDATE merkle_leaves SET hash = ?2 WHERE kind = 'event' AND row_id = ?1", params![zero_seq, leaf.hash().0])?;
    let leaves: Vec<Vec<u8>> =
        conn.prepare("SELECT hash FROM merkle_leaves ORDER BY idx")?.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    let frontier = Frontier::from_leaves(&leaves.into_iter().map(|h| Hash(h.try_into().unwrap_or([0; 32]))).collect::<Vec<_>>());
    let secret: Vec<u8> = conn.query_row("SELECT value FROM meta WHERE key = 'server_signing_key'", [], |r| r.get(0))?;
    let key = DeviceKey::from_secret(secret.try_into().map_err(|_| anyhow::anyhow!("key"))?);
    let (origin, _) = ReadOnly::open(path)?.log_key()?.context("origin")?;
    let forged = Checkpoint::new(&origin, frontier.size(), frontier.root())?.sign(&key);
    conn.execute("DELETE FROM merkle_checkpoints", [])?;
    conn.execute(
        "INSERT INTO merkle_checkpoints (size, origin, root, kid, signature, made_at) VALUES (?1, ?2, ?3, ?4, ?5, 0)",
        params![forged.checkpoint.size, origin, forged.checkpoint.root.0, forged.key_id.0, forged.signature.0],
    )?;
    Ok(())
}

#[tokio::test]
async fn a_history_rewritten_with_the_key_in_the_file_is_caught_by_a_kept_checkpoint() -> Result<()> {
    let mut server = TestServer::start()?;
    let (zero, signed, kept, conn) = checkpoint_kept_then_stopped(&mut server, 0).await?;
    let zero_seq = one_number(&conn, "SELECT server_seq FROM events WHERE id = ?1", zero.id.0.as_bytes())?;

    let rewritten = tampered(&server, "rewritten", "")?;
    rewrite_and_resign(&rewritten, zero_seq)?;
    assert_eq!(verify(&rewritten, None)?, (true, vec![]), "consistent with itself, signed with its own key");
    let (ok, problems) = verify(&rewritten, Some(&kept))?;
    assert!(!ok);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].1, format!("checkpoint file {}", signed.checkpoint.size));
    assert!(problems[0].2.contains("do not have this checkpoint's root"), "{problems:?}");
    // The device's signature still tells which event: `audit integrity` names it.
    let (ok, out) = command(&["audit", "integrity", "--json"], &rewritten)?;
    assert!(!ok && out.contains(&zero.id.to_string()), "{out}");
    Ok(())
}
