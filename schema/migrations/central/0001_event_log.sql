-- The central store: the event log (append-only), device chains, users and the read model that
-- routing and authorisation need. Ids and hashes are stored as BLOBs (16 and 32 bytes).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
) STRICT;

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('village_officer', 'township_inspector', 'county_auditor', 'commissioner', 'admin')),
    units         TEXT NOT NULL,            -- JSON array of unit ids
    password_hash TEXT NOT NULL,            -- argon2id PHC string
    disabled      INTEGER NOT NULL DEFAULT 0
) STRICT;

-- A device identity: one phone and one officer. Its chain head only moves forward.
CREATE TABLE devices (
    id            BLOB PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id),
    public_key    BLOB NOT NULL,
    label         TEXT NOT NULL DEFAULT '',
    enrolled_at   INTEGER NOT NULL,
    revoked       INTEGER NOT NULL DEFAULT 0,
    head_seq      INTEGER NOT NULL DEFAULT 0,
    head_hash     BLOB NOT NULL,
    last_sync_at  INTEGER
) STRICT;

-- Every event that took its place in a device's chain. server_seq is assigned by the single
-- writer at commit: readers never see n+1 before n. Only accepted events are ever pulled.
CREATE TABLE events (
    server_seq  INTEGER PRIMARY KEY,
    id          BLOB NOT NULL UNIQUE,
    device_id   BLOB NOT NULL,
    seq         INTEGER NOT NULL,
    hlc         TEXT NOT NULL,
    author      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    hash        BLOB NOT NULL,
    raw         TEXT NOT NULL,              -- the event's JSON envelope
    accepted    INTEGER NOT NULL,           -- 0: kept as rejected evidence (see reason)
    reason      TEXT,
    received_at INTEGER NOT NULL,
    UNIQUE (device_id, seq)
) STRICT;

-- Routing, decided once at ingest: which village and township buckets an accepted event is in.
-- Every accepted event is in the county bucket, which is the events table itself.
CREATE TABLE event_routes (
    bucket     TEXT NOT NULL,
    server_seq INTEGER NOT NULL,
    PRIMARY KEY (bucket, server_seq)
) STRICT, WITHOUT ROWID;

-- Events that could not take a place in any chain (bad hash or signature, conflicts): kept as
-- evidence, never merged.
CREATE TABLE quarantine (
    id          INTEGER PRIMARY KEY,
    event_id    BLOB,
    device_id   BLOB,
    seq         INTEGER,
    reason      TEXT NOT NULL,
    message     TEXT NOT NULL,
    raw         TEXT NOT NULL,
    received_at INTEGER NOT NULL
) STRICT;

-- Problems found at ingest that do not reject an event (accept and flag, don't drop).
CREATE TABLE flags (
    id         INTEGER PRIMARY KEY,
    event_id   BLOB,
    device_id  BLOB,
    kind       TEXT NOT NULL,
    detail     TEXT NOT NULL,
    raised_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX flags_by_kind ON flags (kind, raised_at);

-- Read model of the reference data, written by the writer in the same transaction as the event.
CREATE TABLE units (
    id     TEXT PRIMARY KEY,
    level  TEXT NOT NULL,
    parent TEXT
) STRICT;

CREATE TABLE zones (
    id       TEXT PRIMARY KEY,
    village  TEXT NOT NULL,
    township TEXT NOT NULL
) STRICT;

CREATE TABLE assignments (
    officer    TEXT NOT NULL,
    zone       TEXT,
    valid_from INTEGER NOT NULL,
    server_seq INTEGER NOT NULL
) STRICT;
CREATE INDEX assignments_by_officer ON assignments (officer, valid_from);

CREATE TABLE patrols (
    id     BLOB PRIMARY KEY,
    author TEXT NOT NULL,
    zone   TEXT NOT NULL
) STRICT;
