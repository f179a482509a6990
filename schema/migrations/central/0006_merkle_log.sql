-- The tamper-evident log (issue 6): every event, quarantined push and blob the server stores is a
-- leaf of an RFC 6962 Merkle tree (sync_protocol::merkle::LogLeaf), appended in the transaction
-- that stores the row; signed checkpoints (size, root) are kept as they are made. The evidence
-- tables refuse UPDATE and DELETE, so rewriting history needs the triggers dropped first, which
-- `patrolsync-server audit verify` then finds against the checkpoints.

-- Leaf `idx` (from 0) of the log: which row it stands for and its leaf hash.
CREATE TABLE merkle_leaves (
    idx        INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('event', 'quarantine', 'blob')),
    row_id     INTEGER,                     -- events.server_seq or quarantine.id
    blob       TEXT,                        -- blobs.sha256
    hash       BLOB NOT NULL CHECK (length(hash) = 32),
    CHECK ((kind = 'blob') = (blob IS NOT NULL) AND (kind = 'blob') = (row_id IS NULL))
) STRICT;

-- Signed checkpoints (sync_protocol::merkle::SignedCheckpoint), at most one per size.
CREATE TABLE merkle_checkpoints (
    size      INTEGER PRIMARY KEY,
    origin    TEXT NOT NULL,
    root      BLOB NOT NULL CHECK (length(root) = 32),
    kid       BLOB NOT NULL CHECK (length(kid) = 4),
    signature BLOB NOT NULL CHECK (length(signature) = 64),
    made_at   INTEGER NOT NULL
) STRICT;

-- Evidence is append-only. The server never updates or deletes these rows (the derived read
-- models, flags, patrol_checks and the rest, are rewritten by re-checks and are not evidence).
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events is append-only evidence: UPDATE refused'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events is append-only evidence: DELETE refused'); END;
CREATE TRIGGER quarantine_no_update BEFORE UPDATE ON quarantine
BEGIN SELECT RAISE(ABORT, 'quarantine is append-only evidence: UPDATE refused'); END;
CREATE TRIGGER quarantine_no_delete BEFORE DELETE ON quarantine
BEGIN SELECT RAISE(ABORT, 'quarantine is append-only evidence: DELETE refused'); END;
CREATE TRIGGER attachments_no_update BEFORE UPDATE ON attachments
BEGIN SELECT RAISE(ABORT, 'attachments is append-only evidence: UPDATE refused'); END;
CREATE TRIGGER attachments_no_delete BEFORE DELETE ON attachments
BEGIN SELECT RAISE(ABORT, 'attachments is append-only evidence: DELETE refused'); END;
CREATE TRIGGER blobs_no_update BEFORE UPDATE ON blobs
BEGIN SELECT RAISE(ABORT, 'blobs is append-only evidence: UPDATE refused'); END;
CREATE TRIGGER blobs_no_delete BEFORE DELETE ON blobs
BEGIN SELECT RAISE(ABORT, 'blobs is append-only evidence: DELETE refused'); END;
CREATE TRIGGER merkle_leaves_no_update BEFORE UPDATE ON merkle_leaves
BEGIN SELECT RAISE(ABORT, 'merkle_leaves is append-only evidence: UPDATE refused'); END;
CREATE TRIGGER merkle_leaves_no_delete BEFORE DELETE ON merkle_leaves
BEGIN SELECT RAISE(ABORT, 'merkle_leaves is append-only evidence: DELETE refused'); END;
CREATE TRIGGER merkle_checkpoints_no_update BEFORE UPDATE ON merkle_checkpoints
BEGIN SELECT RAISE(ABORT, 'merkle_checkpoints is append-only evidence: UPDATE refused'); END;
CREATE TRIGGER merkle_checkpoints_no_delete BEFORE DELETE ON merkle_checkpoints
BEGIN SELECT RAISE(ABORT, 'merkle_checkpoints is append-only evidence: DELETE refused'); END;
