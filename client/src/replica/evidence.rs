//! Evidence on the phone: a file copied into the replica's blob folder (`<replica>.blobs/`, named
//! by its SHA-256, hashed while copying, fsynced and renamed into place) and its
//! `attachment.added` event written with the blob's row in one transaction; the blobs still to
//! upload; blobs fetched from the server, verified before they are kept.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufReader, Read, Seek, Write};
use std::path::{Path, PathBuf};
use sync_protocol::body::{AttachmentAdded, BlobHash, Body, MAX_ATTACHMENT_BYTES, MediaType, Subject, SubjectKind};
use sync_protocol::fold::parts::PartKey;
use sync_protocol::ids::{DeviceId, EventId};

use super::{Replica, ReplicaError, exif};

/// Where an attachment's bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlobState {
    /// The server holds the complete blob.
    OnServer,
    /// On this phone only: not uploaded yet (or not confirmed).
    OnPhone,
    /// Neither here nor known on the server: fetch it, or wait for its officer's upload.
    NotHere,
}

/// One attachment of a patrol or finding, as the ledger and `evidence` show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    pub id: EventId,
    pub by: String,
    pub sha256: BlobHash,
    pub size: u64,
    pub media_type: MediaType,
    pub file_name: Option<String>,
    pub captured_at: Option<i64>,
    pub state: BlobState,
    /// The attachment event's upload state (`pending`, `sent`, `rejected`) or `pulled`.
    pub sync: String,
}

/// A blob of an acknowledged attachment that the server does not hold yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingBlob {
    pub sha256: BlobHash,
    pub size: u64,
    pub media_type: MediaType,
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> ReplicaError + '_ {
    move |source| ReplicaError::Evidence { path: path.to_path_buf(), source }
}

impl Replica {
    /// The blob folder beside the replica file.
    pub fn blob_dir(&self) -> PathBuf {
        PathBuf::from(format!("{}.blobs", self.conn.path().unwrap_or("patrol-device.db")))
    }

    /// Where the blob `hash` is kept on the phone.
    pub fn blob_path(&self, hash: &BlobHash) -> PathBuf {
        self.blob_dir().join(hash.to_hex())
    }

    /// Attaches `file` to a patrol, finding, tip or case this replica holds: copies it into the blob folder,
    /// reads its EXIF, and records `attachment.added` with the blob's row. Returns the event id.
    pub fn attach(&mut self, subject: Subject, file: &Path) -> Result<EventId, ReplicaError> {
        let part = self.part_of(&PartKey::of_subject(&subject))?;
        let known = match subject.kind {
            SubjectKind::Patrol => part.patrols.contains_key(&subject.id),
            SubjectKind::Finding => part.findings.contains_key(&subject.id),
            SubjectKind::Tip => part.tips.contains_key(&subject.id),
            SubjectKind::Case => part.cases.contains_key(&subject.id),
        };
        if !known {
            return Err(ReplicaError::UnknownSubject(format!("{} {}", subject.kind.as_str(), subject.id)));
        }
        let (sha256, size, media_type) = self.copy_in(file)?;
        let stored = self.blob_path(&sha256);
        let mut reader = BufReader::new(File::open(&stored).map_err(io_error(&stored))?);
        let capture = if media_type.is_photo() { exif::read_capture(&mut reader) } else { exif::Capture::default() };
        let file_name = file.file_name().map(|n| n.to_string_lossy().chars().filter(|c| !c.is_control()).take(255).collect());
        let body = AttachmentAdded {
            subject,
            sha256,
            size,
            media_type,
            file_name: file_name.filter(|n: &String| !n.is_empty()),
            captured_at: capture.at,
            captured_place: capture.place,
        };
        let now = self.now_ms();
        let event = self.append_own_with("attachment", &Body::AttachmentAdded(body), |tx| {
            tx.execute(
                "INSERT INTO blobs (sha256, size, media_type, stored_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (sha256) DO NOTHING",
                params![sha256.to_hex(), size, media_type.as_str(), now],
            )?;
            Ok(())
        })?;
        Ok(event.id)
    }

    /// Copies `file` into the blob folder under its SHA-256; returns the hash, size and the media
    /// type sniffed from its content.
    fn copy_in(&self, file: &Path) -> Result<(BlobHash, u64, MediaType), ReplicaError> {
        let dir = self.blob_dir();
        std::fs::create_dir_all(&dir).map_err(io_error(&dir))?;
        let mut source = File::open(file).map_err(io_error(file))?;
        let temp = dir.join(format!(".incoming-{}", uuid::Uuid::now_v7()));
        let result = copy_hashing(&mut source, &temp);
        let (hash, size, head) = match result {
            Ok(r) => r,
            Err(e) => {
                let _ = std::fs::remove_file(&temp);
                return Err(io_error(file)(e));
            }
        };
        let media = sniff(&head);
        let checked = match media {
            _ if size == 0 || size > MAX_ATTACHMENT_BYTES => Err(ReplicaError::EvidenceSize),
            None => Err(ReplicaError::UnsupportedMedia(file.display().to_string())),
            Some(m) => Ok(m),
        };
        let media = match checked {
            Ok(m) => m,
            Err(e) => {
                let _ = std::fs::remove_file(&temp);
                return Err(e);
            }
        };
        let target = dir.join(hash.to_hex());
        std::fs::rename(&temp, &target).map_err(io_error(&target))?;
        File::open(&dir).and_then(|d| d.sync_all()).map_err(io_error(&dir))?;
        Ok((hash, size, media))
    }

    /// The attachments of a patrol, finding, tip or case, with where their bytes are. Reads the
    /// parts its attachments can be in, not the whole projection.
    pub fn evidence(&self, subject: EventId) -> Result<Vec<Evidence>, ReplicaError> {
        let mut seen = Vec::new();
        let mut out = Vec::new();
        for kind in [SubjectKind::Patrol, SubjectKind::Finding, SubjectKind::Tip, SubjectKind::Case] {
            let part = self.part_of(&PartKey::of_subject(&Subject { kind, id: subject }))?;
            for a in part.attachments_of(&subject).filter(|a| a.subject.kind == kind) {
                if !seen.contains(&a.id) {
                    seen.push(a.id);
                    out.push(self.evidence_item(a)?);
                }
            }
        }
        Ok(out)
    }

    pub(crate) fn evidence_item(&self, a: &sync_protocol::fold::Attachment) -> Result<Evidence, ReplicaError> {
        let row: Option<bool> =
            self.conn.query_row("SELECT on_server FROM blobs WHERE sha256 = ?1", [a.sha256.to_hex()], |r| r.get(0)).optional()?;
        let here = self.blob_path(&a.sha256).exists();
        let state = match row {
            Some(true) => BlobState::OnServer,
            _ if here => BlobState::OnPhone,
            _ => BlobState::NotHere,
        };
        let sync = match self.outbox_state(a.id)? {
            Some(s) => s.as_str().to_owned(),
            None => "pulled".to_owned(),
        };
        Ok(Evidence {
            id: a.id,
            by: a.by.to_string(),
            sha256: a.sha256,
            size: a.size,
            media_type: a.media_type,
            file_name: a.file_name.clone(),
            captured_at: a.captured_at,
            state,
            sync,
        })
    }

    /// Blobs of the active identity's acknowledged attachments that the server does not hold yet
    /// (an attachment is uploaded only after its event was accepted: the server refuses bytes no
    /// accepted event names). Reads the identity's own sent attachments whose blob is not marked
    /// on the server.
    pub fn blobs_to_upload(&self) -> Result<Vec<PendingBlob>, ReplicaError> {
        let me = self.require_active()?;
        let mut stmt = self.conn.prepare(
            "SELECT e.raw FROM outbox o JOIN events e ON e.owner = o.owner AND e.id = o.event_id \
             JOIN blobs b ON b.sha256 = json_extract(e.raw, '$.body.sha256') \
             WHERE o.owner = ?1 AND o.state = 'sent' AND e.kind = 'attachment.added' AND b.on_server = 0 ORDER BY o.seq",
        )?;
        let raws = stmt.query_map([me.device_id.to_string()], |r| r.get::<_, String>(0))?;
        let mut pending: Vec<PendingBlob> = Vec::new();
        for raw in raws {
            let event: sync_protocol::event::Event = serde_json::from_str(&raw?)?;
            let Ok(Body::AttachmentAdded(a)) = Body::parse(&event.kind, &event.body) else { continue };
            if !pending.iter().any(|p| p.sha256 == a.sha256) {
                pending.push(PendingBlob { sha256: a.sha256, size: a.size, media_type: a.media_type });
            }
        }
        Ok(pending)
    }

    /// Records that the server holds the complete blob.
    pub fn mark_on_server(&self, hash: &BlobHash) -> Result<(), ReplicaError> {
        self.conn.execute(
            "UPDATE blobs SET on_server = 1, uploaded_at = ?2, last_error = NULL WHERE sha256 = ?1",
            params![hash.to_hex(), self.now_ms()],
        )?;
        Ok(())
    }

    /// Records why an upload failed, for `status` and `evidence`.
    pub fn blob_failed(&self, hash: &BlobHash, why: &str) -> Result<(), ReplicaError> {
        self.conn.execute("UPDATE blobs SET last_error = ?2 WHERE sha256 = ?1", params![hash.to_hex(), why])?;
        Ok(())
    }

    /// Forgets the blobs that no event on this phone names any more (their attachments left with
    /// a purged bucket, e.g. a tip moved to another township): their rows and their files.
    /// Returns how many. A blob of an own attachment stays, since the own event stays.
    pub fn drop_unnamed_blobs(&self) -> Result<usize, ReplicaError> {
        let gone: Vec<String> = self
            .conn
            .prepare(
                "DELETE FROM blobs WHERE sha256 NOT IN \
                 (SELECT json_extract(raw, '$.body.sha256') FROM events \
                  WHERE kind = 'attachment.added' AND json_extract(raw, '$.body.sha256') IS NOT NULL) RETURNING sha256",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for hex in &gone {
            let path = self.blob_dir().join(hex);
            match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io_error(&path)(e)),
                _ => {}
            }
        }
        Ok(gone.len())
    }

    /// Opens a stored blob for upload, positioned at `offset`.
    pub fn open_blob(&self, hash: &BlobHash, offset: u64) -> Result<File, ReplicaError> {
        let path = self.blob_path(hash);
        let mut file = File::open(&path).map_err(io_error(&path))?;
        file.seek(std::io::SeekFrom::Start(offset)).map_err(io_error(&path))?;
        Ok(file)
    }

    /// Keeps a blob fetched from the server once its bytes hash to `hash`.
    pub fn store_fetched(&self, hash: &BlobHash, media_type: MediaType, bytes: &[u8]) -> Result<PathBuf, ReplicaError> {
        if <[u8; 32]>::from(Sha256::digest(bytes)) != hash.0 {
            return Err(ReplicaError::BlobMismatch(hash.to_hex()));
        }
        let dir = self.blob_dir();
        std::fs::create_dir_all(&dir).map_err(io_error(&dir))?;
        let temp = dir.join(format!(".incoming-{}", uuid::Uuid::now_v7()));
        let write = || -> std::io::Result<()> {
            let mut f = File::create(&temp)?;
            f.write_all(bytes)?;
            f.sync_all()
        };
        write().map_err(io_error(&temp))?;
        let target = self.blob_path(hash);
        std::fs::rename(&temp, &target).map_err(io_error(&target))?;
        File::open(&dir).and_then(|d| d.sync_all()).map_err(io_error(&dir))?;
        self.conn.execute(
            "INSERT INTO blobs (sha256, size, media_type, on_server, stored_at) VALUES (?1, ?2, ?3, 1, ?4)
             ON CONFLICT (sha256) DO UPDATE SET on_server = 1",
            params![hash.to_hex(), bytes.len() as u64, media_type.as_str(), self.now_ms()],
        )?;
        Ok(target)
    }
}

/// Copies `source` to a new file at `temp`, hashing as it goes; fsyncs it. Returns the hash, the
/// size and the first bytes (for sniffing).
/// After a restore (a new store epoch) the server may have lost the bytes of any of `owner`'s
/// attachments (those uploaded after its backup was taken), so each is checked again by the next
/// upload pass: `HEAD` says whether the server holds it, and if not it is sent again. Returns how
/// many blobs are to be checked.
pub(crate) fn recheck_own_blobs(conn: &Connection, owner: DeviceId) -> Result<usize, ReplicaError> {
    Ok(conn.execute(
        "UPDATE blobs SET on_server = 0 WHERE on_server = 1 AND sha256 IN \
         (SELECT json_extract(e.raw, '$.body.sha256') FROM outbox o JOIN events e ON e.owner = o.owner AND e.id = o.event_id \
          WHERE o.owner = ?1 AND e.kind = 'attachment.added')",
        [owner.to_string()],
    )?)
}

fn copy_hashing(source: &mut File, temp: &Path) -> std::io::Result<(BlobHash, u64, Vec<u8>)> {
    let mut out = File::create(temp)?;
    let (mut hasher, mut size, mut head, mut buf) = (Sha256::new(), 0u64, Vec::new(), vec![0u8; 64 * 1024]);
    loop {
        let n = source.read(&mut buf)?;
        if n == 0 {
            break;
        }
        if head.len() < 512 {
            head.extend_from_slice(&buf[..n.min(512 - head.len())]);
        }
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n])?;
        size += n as u64;
    }
    out.sync_all()?;
    Ok((BlobHash(hasher.finalize().into()), size, head))
}

/// The allow-listed media type of a file's first bytes (HEIC is ISO-BMFF HEIF to `infer`).
fn sniff(head: &[u8]) -> Option<MediaType> {
    let found = infer::get(head)?;
    match found.mime_type() {
        "image/heif" => Some(MediaType::Heic),
        mime => MediaType::parse(mime),
    }
}
