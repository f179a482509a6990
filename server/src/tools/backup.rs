//! `patrolsync-server backup --to DIR` and `restore --from DIR --to NEWDIR`: a backup is a folder
//! holding a consistent copy of the store (made while the server serves), the evidence blobs, the
//! key files and `manifest.json`, which lists every file with its size and SHA-256 and the log's
//! signed checkpoint. A restore checks every hash before it copies anything, into an empty folder
//! only, then checks the copy's log against the checkpoint and starts a new store epoch.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sync_protocol::merkle::SignedCheckpoint;
use sync_protocol::wire::witness::StoreEpoch;

use crate::config::Config;
use crate::store::StoreError;
use crate::store::sqlite::backup as store_backup;

/// The manifest's name in a backup folder, and its format.
pub const MANIFEST: &str = "manifest.json";
const FORMAT: u32 = 1;
/// Where each part goes inside a backup (and inside a restored folder).
const STORE_FILE: &str = "central.db";
const BLOBS: &str = "blobs";
const TOKEN_KEYS: &str = "token-keys.json";
const WITNESS: &str = "log-witness";

/// `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: u32,
    /// When the copy was made, Unix ms.
    pub made_at: i64,
    /// The store's epoch at the time of the copy, and the greatest server sequence it holds.
    pub epoch: StoreEpoch,
    pub last_seq: u64,
    /// The log's size and the signed note of the checkpoint the copy holds.
    pub log_size: u64,
    pub checkpoint: String,
    /// Every file of the backup but the manifest, by path relative to the folder (`/`-separated).
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} is not empty: a backup or a restore goes into a new or empty folder only")]
    NotEmpty(PathBuf),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the manifest {0} cannot be read: {1}")]
    Manifest(PathBuf, String),
    #[error("the backup does not match its manifest, nothing was restored:\n{}", .0.join("\n"))]
    Mismatch(Vec<String>),
    #[error(
        "`{0}` works on SQLite store files, and the config's store is PostgreSQL: back it up with pg_dump and restore it \
         with pg_restore (docs/operations.md, \"Running on PostgreSQL\"); nothing was written"
    )]
    OnPostgres(&'static str),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io { path: path.to_path_buf(), source }
}

/// What a backup made.
#[derive(Debug, Clone)]
pub struct BackupSummary {
    pub manifest: Manifest,
    pub bytes: u64,
}

/// Backs up the store of `config` (served or not) into `to`, a new or empty folder.
pub fn backup(config: &Config, to: &Path, now_ms: i64) -> Result<BackupSummary, BackupError> {
    empty_folder(to)?;
    let result = write_backup(config, to, now_ms);
    if result.is_err() {
        remove_contents(to);
    }
    result
}

fn write_backup(config: &Config, to: &Path, now_ms: i64) -> Result<BackupSummary, BackupError> {
    // The store first: every blob its rows name was stored before its row, so it is copied below.
    let log = store_backup::copy(&config.db, &to.join(STORE_FILE), now_ms)?;
    copy_tree(&config.blob_dir(), &to.join(BLOBS), &["partial"])?;
    copy_if_exists(&config.token_key_file(), &to.join(TOKEN_KEYS))?;
    for (i, file) in [&config.tls.cert_file, &config.tls.key_file].into_iter().flatten().enumerate() {
        copy_if_exists(file, &to.join("tls").join(if i == 0 { "cert.pem" } else { "key.pem" }))?;
    }
    let files = list_files(to)?;
    let bytes = files.iter().map(|f| f.size).sum();
    let manifest = Manifest {
        format: FORMAT,
        made_at: now_ms,
        epoch: log.epoch,
        last_seq: log.last_seq,
        log_size: log.checkpoint.checkpoint.size,
        checkpoint: log.checkpoint.to_note(),
        files,
    };
    let text = serde_json::to_vec_pretty(&manifest).map_err(|e| BackupError::Manifest(to.join(MANIFEST), e.to_string()))?;
    write_synced(&to.join(MANIFEST), &text)?;
    Ok(BackupSummary { manifest, bytes })
}

/// Restores the backup in `from` into `to` (new or empty): checks every file against the
/// manifest first (any difference: nothing is written), copies, checks the store's log against
/// the manifest's checkpoint, starts a new epoch and writes the log's witness file.
pub fn restore(from: &Path, to: &Path) -> Result<(Manifest, StoreEpoch), BackupError> {
    let manifest = read_manifest(from)?;
    let problems = check_files(from, &manifest)?;
    if !problems.is_empty() {
        return Err(BackupError::Mismatch(problems));
    }
    empty_folder(to)?;
    let result = (|| -> Result<StoreEpoch, BackupError> {
        for f in &manifest.files {
            copy_file(&from.join(&f.path), &to.join(&f.path))?;
        }
        let checkpoint = SignedCheckpoint::from_note(&manifest.checkpoint)
            .map_err(|e| BackupError::Manifest(from.join(MANIFEST), format!("its checkpoint: {e}")))?;
        Ok(store_backup::finish_restore(&to.join(STORE_FILE), &checkpoint, &to.join(WITNESS))?)
    })();
    match result {
        Ok(epoch) => Ok((manifest, epoch)),
        Err(e) => {
            remove_contents(to);
            Err(e)
        }
    }
}

/// Reads `manifest.json` of the backup in `from`.
pub fn read_manifest(from: &Path) -> Result<Manifest, BackupError> {
    let path = from.join(MANIFEST);
    let text = std::fs::read(&path).map_err(io(&path))?;
    let manifest: Manifest = serde_json::from_slice(&text).map_err(|e| BackupError::Manifest(path.clone(), e.to_string()))?;
    if manifest.format != FORMAT {
        return Err(BackupError::Manifest(path, format!("format {} is not {FORMAT}", manifest.format)));
    }
    Ok(manifest)
}

/// Every way the files in `from` differ from `manifest`: missing, another size or hash, a path
/// that leaves the folder.
fn check_files(from: &Path, manifest: &Manifest) -> Result<Vec<String>, BackupError> {
    let mut problems = Vec::new();
    for f in &manifest.files {
        if Path::new(&f.path).components().any(|c| !matches!(c, std::path::Component::Normal(_))) {
            problems.push(format!("{}: not a path inside the backup", f.path));
            continue;
        }
        match hash_file(&from.join(&f.path)) {
            Ok((size, sha)) if size == f.size && sha == f.sha256 => {}
            Ok((size, sha)) => {
                problems.push(format!("{}: {size} bytes with SHA-256 {sha}, the manifest says {} bytes, {}", f.path, f.size, f.sha256))
            }
            Err(e) => problems.push(format!("{}: {e}", f.path)),
        }
    }
    if !manifest.files.iter().any(|f| f.path == STORE_FILE) {
        problems.push(format!("{STORE_FILE}: not in the manifest"));
    }
    Ok(problems)
}

/// `path` must be a folder with nothing in it, or not exist (then it is made, mode 0700).
fn empty_folder(path: &Path) -> Result<(), BackupError> {
    match std::fs::read_dir(path).map(|mut entries| entries.next().is_none()) {
        Ok(false) => Err(BackupError::NotEmpty(path.to_path_buf())),
        Ok(true) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(path).map_err(io(path))?;
            restrict(path, 0o700);
            Ok(())
        }
        Err(e) => Err(io(path)(e)),
    }
}

/// Removes what a failed backup or restore wrote into `path` (which was empty before it).
fn remove_contents(path: &Path) {
    if let Ok(entries) = std::fs::read_dir(path) {
        for entry in entries.flatten() {
            let p = entry.path();
            let _ = if p.is_dir() { std::fs::remove_dir_all(&p) } else { std::fs::remove_file(&p) };
        }
    }
}

/// Copies every file under `from` into `to`, leaving out the top-level folders in `skip`.
fn copy_tree(from: &Path, to: &Path, skip: &[&str]) -> Result<(), BackupError> {
    let entries = match std::fs::read_dir(from) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(from)(e)),
    };
    for entry in entries {
        let entry = entry.map_err(io(from))?;
        let path = entry.path();
        if skip.iter().any(|s| entry.file_name() == *s) {
            continue;
        }
        if entry.file_type().map_err(io(&path))?.is_dir() {
            copy_tree(&path, &to.join(entry.file_name()), &[])?;
        } else {
            copy_file(&path, &to.join(entry.file_name()))?;
        }
    }
    Ok(())
}

fn copy_if_exists(from: &Path, to: &Path) -> Result<(), BackupError> {
    if from.exists() { copy_file(from, to) } else { Ok(()) }
}

/// Copies one file and syncs it; key files and the store stay readable by their owner only.
fn copy_file(from: &Path, to: &Path) -> Result<(), BackupError> {
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    std::fs::copy(from, to).map_err(io(from))?;
    std::fs::File::open(to).and_then(|f| f.sync_all()).map_err(io(to))?;
    restrict(to, 0o600);
    Ok(())
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), BackupError> {
    use std::io::Write;
    let mut f = std::fs::File::create(path).map_err(io(path))?;
    f.write_all(bytes).and_then(|()| f.sync_all()).map_err(io(path))
}

/// Every file under `root` with its size and SHA-256, paths relative and sorted.
fn list_files(root: &Path) -> Result<Vec<FileEntry>, BackupError> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).map_err(io(&dir))? {
            let path = entry.map_err(io(&dir))?.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let (size, sha256) = hash_file(&path).map_err(io(&path))?;
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            out.push(FileEntry { path: rel, size, sha256 });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

fn hash_file(path: &Path) -> std::io::Result<(u64, String)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok((size, hex::encode(hasher.finalize())));
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
}

fn restrict(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backup_goes_only_into_an_empty_folder_and_a_tampered_one_is_refused_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("data").join("central.db");
        std::fs::create_dir_all(db.parent().expect("parent")).expect("mkdir");
        drop(crate::store::sqlite::SqliteStore::open(&db).expect("a new store"));
        let config = Config { db, ..Config::default() };
        let busy = dir.path().join("busy");
        std::fs::create_dir_all(&busy).expect("mkdir");
        std::fs::write(busy.join("x"), "x").expect("write");
        assert!(matches!(backup(&config, &busy, 1), Err(BackupError::NotEmpty(_))));

        let to = dir.path().join("backup");
        let made = backup(&config, &to, 1).expect("backup");
        assert!(made.manifest.files.iter().any(|f| f.path == STORE_FILE));
        let restored = dir.path().join("restored");
        let (_, epoch) = restore(&to, &restored).expect("restore");
        assert_ne!(epoch.id, made.manifest.epoch.id, "a restore starts a new epoch");
        assert!(matches!(restore(&to, &restored), Err(BackupError::NotEmpty(_))), "into a non-empty folder");

        std::fs::write(to.join(STORE_FILE), b"not the store").expect("tamper");
        let fresh = dir.path().join("fresh");
        let e = restore(&to, &fresh).expect_err("tampered");
        assert!(e.to_string().contains(STORE_FILE), "{e}");
        assert!(!fresh.exists(), "nothing was written");
    }
}
