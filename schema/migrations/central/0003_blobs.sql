-- Evidence (issue 5): every accepted attachment.added with the place it concerns, and the blobs
-- whose bytes are complete on the server. A blob is visible only once it has a row here, which
-- is written after its bytes were verified, fsynced and renamed into place.

-- One row per accepted attachment.added, written in the event's transaction.
CREATE TABLE attachments (
    server_seq   INTEGER PRIMARY KEY,         -- the event's server_seq (its routes)
    event_id     BLOB NOT NULL UNIQUE,
    sha256       TEXT NOT NULL CHECK (length(sha256) = 64),
    size         INTEGER NOT NULL CHECK (size > 0),
    media_type   TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id   BLOB NOT NULL,
    officer      TEXT NOT NULL,              -- who attached it
    village      TEXT,
    township     TEXT,
    added_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX attachments_by_blob ON attachments (sha256);
CREATE INDEX attachments_by_subject ON attachments (subject_id);
CREATE INDEX attachments_by_place ON attachments (township, village);

-- Blobs stored once, however many attachments name them.
CREATE TABLE blobs (
    sha256     TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    size       INTEGER NOT NULL,
    media_type TEXT NOT NULL,
    stored_at  INTEGER NOT NULL
) STRICT;
