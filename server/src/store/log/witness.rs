//! The log witnessed outside the store: after each batch that grows the log the writer signs a
//! checkpoint of it and publishes it (for sync replies, so every phone keeps the latest), and a
//! thread writes it to a file beside the database. At start a store whose log is shorter than
//! that file's checkpoint, or does not extend it, is refused: its WAL was damaged or it was rolled
//! back, and acknowledged events are missing.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;

use arc_swap::ArcSwapOption;
use sync_protocol::crypto::PublicKey;
use sync_protocol::merkle::{Checkpoint, Frontier, SignedCheckpoint};
use sync_protocol::wire::audit::CheckpointReply;
use sync_protocol::wire::witness::{WitnessAsk, WitnessReply};

use super::{Rows, leaf_hashes, leaf_range, origin};
use crate::store::StoreError;
use crate::store::identity::ServerIdentity;
use crate::store::sql::Sql;

/// The latest checkpoint the writer signed, with the frontier of its tree.
#[derive(Debug, Clone)]
pub struct Latest {
    pub checkpoint: SignedCheckpoint,
    pub frontier: Frontier,
    /// The key that signed it (the server's identity key).
    pub public_key: PublicKey,
}

/// Where the writer publishes the latest checkpoint; cheap to clone.
#[derive(Clone, Default)]
pub struct LogWitness {
    latest: Arc<ArcSwapOption<Latest>>,
    file: Option<mpsc::Sender<Arc<Latest>>>,
}

impl LogWitness {
    /// A witness that also keeps the latest checkpoint in `file` (written by its own thread).
    pub fn with_file(file: PathBuf) -> Result<LogWitness, StoreError> {
        let (tx, rx) = mpsc::channel::<Arc<Latest>>();
        std::thread::Builder::new().name("log-witness".into()).spawn(move || write_loop(&file, &rx)).map_err(StoreError::Threads)?;
        Ok(LogWitness { latest: Arc::default(), file: Some(tx) })
    }

    /// The latest checkpoint published, if the writer has signed one.
    pub fn latest(&self) -> Option<Arc<Latest>> {
        self.latest.load_full()
    }

    /// Signs and publishes a checkpoint of `frontier` unless one of that size is out already.
    pub fn publish(&self, server: &ServerIdentity, frontier: &Frontier) {
        if self.latest.load_full().is_some_and(|l| l.frontier.size() == frontier.size()) {
            return;
        }
        let Ok(checkpoint) = Checkpoint::new(&origin(server.device), frontier.size(), frontier.root()) else { return };
        let latest =
            Arc::new(Latest { checkpoint: checkpoint.sign(&server.key), frontier: frontier.clone(), public_key: server.key.public() });
        self.latest.store(Some(latest.clone()));
        if let Some(file) = &self.file {
            let _ = file.send(latest);
        }
    }
}

/// Writes each checkpoint received (the newest of those waiting) to `file`, atomically.
fn write_loop(file: &Path, rx: &mpsc::Receiver<Arc<Latest>>) {
    while let Ok(mut latest) = rx.recv() {
        while let Ok(newer) = rx.try_recv() {
            latest = newer;
        }
        if let Err(e) = write_note(file, &latest.checkpoint.to_note()) {
            tracing::error!(file = %file.display(), error = %e, "cannot write the log's witness file");
        }
    }
}

/// Writes `note` to a temporary file, syncs it and renames it over `file`.
fn write_note(file: &Path, note: &str) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = file.with_extension("tmp");
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(note.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(&tmp, file)
}

/// What a sync reply's `witness` carries for a device that holds `held`: the store's epoch,
/// `latest`, and the leaf hashes from the size held on; or, when the device holds nothing, a
/// checkpoint of another epoch (a restore) or more than the log, the frontier of `latest`.
pub fn reply(conn: &dyn Sql, latest: &Latest, held: &WitnessAsk) -> Result<WitnessReply, StoreError> {
    let epoch = crate::store::epoch::read(conn)?;
    let size = latest.frontier.size();
    let same_log = held.epoch.as_ref() == Some(&epoch.id) && held.size > 0 && held.size <= size;
    let (frontier, leaves) = if same_log {
        (Vec::new(), leaf_range(&mut Rows(conn), held.size, size)?)
    } else {
        (latest.frontier.subtrees().to_vec(), Vec::new())
    };
    let checkpoint = CheckpointReply::new(latest.checkpoint.clone(), latest.public_key);
    Ok(WitnessReply { epoch, checkpoint, frontier, leaves })
}

/// Reads the checkpoint kept in `file`; `None` when there is no file yet (a new store).
pub fn read_file(file: &Path) -> Result<Option<SignedCheckpoint>, StoreError> {
    let note = match std::fs::read_to_string(file) {
        Ok(note) => note,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(witness_error(file, format!("cannot be read: {e}"))),
    };
    SignedCheckpoint::from_note(&note).map(Some).map_err(|e| witness_error(file, format!("is not a checkpoint note: {e}")))
}

/// Refuses a store whose log does not hold the checkpoint kept in `file`: signed by another key,
/// shorter, or with other leaves. Reads the first `size` leaves once.
pub fn check_file(conn: &dyn Sql, file: &Path, key: &PublicKey) -> Result<(), StoreError> {
    let Some(kept) = read_file(file)? else { return Ok(()) };
    kept.verify(key).map_err(|e| witness_error(file, format!("is not signed by this store's key ({e}): is it another county's store?")))?;
    let size = kept.checkpoint.size;
    let leaves = leaf_hashes(&mut Rows(conn), size)?;
    if (leaves.len() as u64) < size {
        let detail = format!(
            "the store's log holds {} entries, fewer than the {size} it had signed: acknowledged events are missing \
             (a damaged or lost WAL file, or an older copy of the database). Refusing to serve; restore the latest \
             backup (docs/operations.md) or move the witness file aside only if you accept that loss",
            leaves.len()
        );
        return Err(witness_error(file, detail));
    }
    if Frontier::from_leaves(&leaves).root() != kept.checkpoint.root {
        let detail = format!("the store's first {size} log entries are not those it had signed: the store was rewritten");
        return Err(witness_error(file, detail));
    }
    Ok(())
}

fn witness_error(file: &Path, detail: String) -> StoreError {
    StoreError::corrupt("log witness", format!("{}: {detail}", file.display()))
}
