//! The file-system blob store: complete blobs at `<root>/ab/cd/<sha256>`, uploads in progress at
//! `<root>/partial/<sha256>.<uploader>` (one per uploader). A blob reaches its final path only after its bytes were verified
//! and fsynced, by an atomic rename followed by an fsync of the directories, so a crash leaves
//! either no blob or the whole blob, never a part of one.

use sha2::{Digest, Sha256};
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use sync_protocol::body::BlobHash;
use sync_protocol::ids::UserId;

use super::{BlobError, BlobStore, Expected, sniff_matches};

/// Bytes read for content sniffing: enough for every type on the allow-list.
const SNIFF_BYTES: usize = 512;

#[derive(Debug)]
pub struct LocalFs {
    root: PathBuf,
    /// Serialises the check-then-append of parts and the completion, so two requests for one
    /// upload (a retry racing a stale connection) never interleave their bytes.
    lock: Mutex<()>,
}

impl LocalFs {
    /// Opens (creating) the store under `root`.
    pub fn open(root: &Path) -> std::io::Result<LocalFs> {
        std::fs::create_dir_all(root.join("partial"))?;
        Ok(LocalFs { root: root.to_path_buf(), lock: Mutex::new(()) })
    }

    fn final_path(&self, hash: &BlobHash) -> PathBuf {
        let hex = hash.to_hex();
        self.root.join(&hex[0..2]).join(&hex[2..4]).join(hex)
    }

    /// A user id is ASCII letters, digits, `-`, `_` and `.`: safe in a file name after the hash.
    fn partial_path(&self, hash: &BlobHash, uploader: &UserId) -> PathBuf {
        self.root.join("partial").join(format!("{}.{}", hash.to_hex(), uploader.as_str()))
    }

    fn locked(&self) -> std::sync::MutexGuard<'_, ()> {
        // A panic while holding the lock leaves no state behind it: the files are the state.
        self.lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Reads the upload, returning its SHA-256 and first bytes.
    fn digest(path: &Path) -> Result<([u8; 32], Vec<u8>), BlobError> {
        let mut file = File::open(path)?;
        let (mut hasher, mut head, mut buf) = (Sha256::new(), Vec::with_capacity(SNIFF_BYTES), vec![0u8; 64 * 1024]);
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                return Ok((hasher.finalize().into(), head));
            }
            let take = (SNIFF_BYTES - head.len()).min(n);
            head.extend_from_slice(&buf[..take]);
            hasher.update(&buf[..n]);
        }
    }

    fn refuse(partial: &Path, why: String) -> BlobError {
        let _ = std::fs::remove_file(partial);
        BlobError::Refused(why)
    }
}

impl BlobStore for LocalFs {
    fn offset(&self, hash: &BlobHash, uploader: &UserId) -> Result<u64, BlobError> {
        match std::fs::metadata(self.partial_path(hash, uploader)) {
            Ok(m) => Ok(m.len()),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(0),
            Err(e) => Err(e.into()),
        }
    }

    fn put_part(&self, hash: &BlobHash, uploader: &UserId, at: u64, bytes: &[u8]) -> Result<u64, BlobError> {
        let _guard = self.locked();
        let mut file = OpenOptions::new().create(true).append(true).open(self.partial_path(hash, uploader))?;
        let current = file.metadata()?.len();
        if current != at {
            return Err(BlobError::OffsetMismatch { current });
        }
        file.write_all(bytes)?;
        Ok(current + bytes.len() as u64)
    }

    fn finish(&self, hash: &BlobHash, uploader: &UserId, expect: Expected) -> Result<(), BlobError> {
        let _guard = self.locked();
        let partial = self.partial_path(hash, uploader);
        let size = std::fs::metadata(&partial)?.len();
        if size != expect.size {
            return Err(LocalFs::refuse(&partial, format!("the upload has {size} bytes, the attachment declares {}", expect.size)));
        }
        let (digest, head) = LocalFs::digest(&partial)?;
        if digest != hash.0 {
            return Err(LocalFs::refuse(&partial, format!("the bytes hash to {}, not {hash}", hex::encode(digest))));
        }
        if !sniff_matches(&head, expect.media_type) {
            return Err(LocalFs::refuse(&partial, format!("the content is not {}", expect.media_type.as_str())));
        }
        let target = self.final_path(hash);
        if target.try_exists()? {
            // Stored before (by anyone): the bytes proved, the copy is not kept.
            std::fs::remove_file(&partial)?;
            return Ok(());
        }
        File::open(&partial)?.sync_all()?;
        let dir = target.parent().ok_or_else(|| std::io::Error::other("blob path has no folder"))?;
        std::fs::create_dir_all(dir)?;
        std::fs::rename(&partial, &target)?;
        // The rename and any new folders are durable only once their directories are synced.
        for d in [dir, dir.parent().unwrap_or(dir), self.root.as_path(), &self.root.join("partial")] {
            File::open(d)?.sync_all()?;
        }
        Ok(())
    }

    fn exists(&self, hash: &BlobHash) -> Result<bool, BlobError> {
        Ok(self.final_path(hash).try_exists()?)
    }

    fn open(&self, hash: &BlobHash) -> Result<Box<dyn Read + Send>, BlobError> {
        match File::open(self.final_path(hash)) {
            Ok(f) => Ok(Box::new(f)),
            Err(e) if e.kind() == ErrorKind::NotFound => Err(BlobError::Missing),
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sync_protocol::body::MediaType;

    fn png(n: usize) -> Vec<u8> {
        let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D];
        bytes.extend((0..n).map(|i| (i * 31 % 251) as u8));
        bytes
    }

    fn hash_of(bytes: &[u8]) -> BlobHash {
        BlobHash(Sha256::digest(bytes).into())
    }

    fn me() -> UserId {
        UserId::new("vo-t01-v01").expect("user")
    }

    fn expected(bytes: &[u8]) -> Expected {
        Expected { size: bytes.len() as u64, media_type: MediaType::Png }
    }

    #[test]
    fn an_upload_resumes_from_its_offset_and_completes_with_the_same_bytes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = LocalFs::open(dir.path()).expect("store");
        let bytes = png(100_000);
        let hash = hash_of(&bytes);
        assert_eq!(store.put_part(&hash, &me(), 0, &bytes[..40_000]).expect("part"), 40_000);
        assert!(matches!(store.put_part(&hash, &me(), 0, &bytes[..10]), Err(BlobError::OffsetMismatch { current: 40_000 })));
        assert_eq!(store.offset(&hash, &me()).expect("offset"), 40_000);
        assert!(!store.exists(&hash).expect("exists"), "a partial upload is not a blob");
        store.put_part(&hash, &me(), 40_000, &bytes[40_000..]).expect("rest");
        store.finish(&hash, &me(), expected(&bytes)).expect("finish");
        let mut read = Vec::new();
        store.open(&hash).expect("open").read_to_end(&mut read).expect("read");
        assert_eq!(read, bytes);
        assert_eq!(store.offset(&hash, &me()).expect("offset"), 0, "no partial left behind");
    }

    #[test]
    fn wrong_bytes_size_or_type_are_refused_and_leave_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = LocalFs::open(dir.path()).expect("store");
        let bytes = png(1_000);
        let mut other = bytes.clone();
        other[500] ^= 1;
        let cases = [
            ("bytes do not match the hash", hash_of(&bytes), other.clone(), expected(&bytes)),
            ("fewer bytes than declared", hash_of(&bytes), bytes[..900].to_vec(), expected(&bytes)),
            ("a PNG declared a JPEG", hash_of(&bytes), bytes.clone(), Expected { size: 1_012, media_type: MediaType::Jpeg }),
        ];
        for (what, hash, upload, expect) in cases {
            store.put_part(&hash, &me(), 0, &upload).expect("part");
            assert!(matches!(store.finish(&hash, &me(), expect), Err(BlobError::Refused(_))), "{what}");
            assert!(!store.exists(&hash).expect("exists"), "{what}");
            assert!(matches!(store.open(&hash), Err(BlobError::Missing)), "{what}");
            assert_eq!(store.offset(&hash, &me()).expect("offset"), 0, "{what}: the upload is removed");
        }
    }

    /// Each uploader appends to their own upload: another user who knows the hash sees none of
    /// it and cannot add to it; a second uploader's checked bytes of a stored blob are dropped.
    #[test]
    fn uploads_are_kept_apart_per_uploader_and_a_blob_is_stored_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = LocalFs::open(dir.path()).expect("store");
        let bytes = png(10_000);
        let hash = hash_of(&bytes);
        let other = UserId::new("vo-t02-v01").expect("user");
        store.put_part(&hash, &me(), 0, &bytes[..4_000]).expect("part");
        assert_eq!(store.offset(&hash, &other).expect("offset"), 0, "another's progress is not shown");
        assert!(matches!(store.put_part(&hash, &other, 4_000, &bytes[4_000..]), Err(BlobError::OffsetMismatch { current: 0 })));
        store.put_part(&hash, &other, 0, &bytes).expect("their own upload");
        store.finish(&hash, &other, expected(&bytes)).expect("finish");
        store.put_part(&hash, &me(), 4_000, &bytes[4_000..]).expect("rest");
        store.finish(&hash, &me(), expected(&bytes)).expect("a second proof of a stored blob");
        let mut read = Vec::new();
        store.open(&hash).expect("open").read_to_end(&mut read).expect("read");
        assert_eq!(read, bytes);
        let files = walkdir(dir.path());
        assert_eq!(files.len(), 1, "stored once, no upload left: {files:?}");
    }

    fn walkdir(dir: &Path) -> Vec<PathBuf> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).expect("dir").map(|e| e.expect("entry").path()) {
            if entry.is_dir() { files.extend(walkdir(&entry)) } else { files.push(entry) }
        }
        files
    }
}
