-- The device replica: one SQLite file per phone. A phone shared by two officers holds one
-- identity per officer (device id, key, chain, outbox, cursors and projection each), and every
-- table below is keyed by that identity (`owner`, the identity's device id). Ids and hashes are
-- stored as their wire text (UUIDs hyphenated, hashes lower-case hex) so the file reads plainly.

-- Phone-wide settings, e.g. `active_identity` (the device id of the officer using the phone).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- A device identity: one officer on this phone. Created at the officer's first successful login
-- here and reused at every later one, so a re-login continues the same chain and outbox.
-- secret_key is the Ed25519 signing key. On a real phone it lives in the OS keystore (Android
-- Keystore / iOS Keychain) and this column would hold only a key alias; the CLI keeps it here.
CREATE TABLE identities (
    device_id        TEXT PRIMARY KEY CHECK (length(device_id) = 36),
    username         TEXT NOT NULL UNIQUE,
    user_id          TEXT NOT NULL,
    secret_key       BLOB NOT NULL CHECK (length(secret_key) = 32),
    server_url       TEXT NOT NULL,
    access_token     TEXT,
    token_expires_at INTEGER,                  -- Unix ms
    role             TEXT NOT NULL,
    display_name     TEXT NOT NULL,
    next_seq         INTEGER NOT NULL DEFAULT 1 CHECK (next_seq >= 1),
    head_hash        TEXT NOT NULL CHECK (length(head_hash) = 64),
    hlc              TEXT NOT NULL,            -- wire form, e.g. 1764131257000-00003
    created_at       INTEGER NOT NULL,
    last_sync_at     INTEGER,                  -- last successful sync, Unix ms
    last_error       TEXT,
    last_error_at    INTEGER
) STRICT;

-- Every event the identity holds, its own and pulled ones, as the raw JSON envelope. Never
-- updated; pulled events are deleted only when the server asks to purge their buckets.
CREATE TABLE events (
    owner       TEXT NOT NULL REFERENCES identities(device_id),
    id          TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    hlc         TEXT NOT NULL,
    author      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    hash        TEXT NOT NULL,
    raw         TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (owner, id)
) STRICT;

CREATE INDEX events_fold_order ON events (owner, hlc, device_id, seq);

-- The identity's own events and their upload state. A row is written with its event, in the
-- same transaction, and only an ack moves it: pending -> sent | rejected (with the reason).
CREATE TABLE outbox (
    owner           TEXT NOT NULL,
    event_id        TEXT NOT NULL,
    seq             INTEGER NOT NULL CHECK (seq >= 1),
    state           TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'rejected')),
    reason          TEXT,                      -- wire::RejectReason, when rejected
    message         TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    last_attempt_at INTEGER,
    acked_at        INTEGER,
    PRIMARY KEY (owner, event_id),
    UNIQUE (owner, seq),
    FOREIGN KEY (owner, event_id) REFERENCES events (owner, id)
) STRICT;

CREATE INDEX outbox_by_state ON outbox (owner, state, seq);

-- Which bucket each pulled event came from (an event can be in several).
CREATE TABLE event_buckets (
    owner    TEXT NOT NULL,
    bucket   TEXT NOT NULL,
    event_id TEXT NOT NULL,
    PRIMARY KEY (owner, bucket, event_id),
    FOREIGN KEY (owner, event_id) REFERENCES events (owner, id)
) STRICT;

CREATE INDEX event_buckets_by_event ON event_buckets (owner, event_id);

-- The last server sequence pulled, per identity and bucket.
CREATE TABLE cursors (
    owner      TEXT NOT NULL REFERENCES identities(device_id),
    bucket     TEXT NOT NULL,
    cursor     INTEGER NOT NULL CHECK (cursor >= 0),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (owner, bucket)
) STRICT;

-- The projection (sync_protocol::fold::Projection) as a JSON snapshot, with the fold key of the
-- last event applied, so a new event that sorts after it is applied without a re-fold.
CREATE TABLE projections (
    owner       TEXT PRIMARY KEY REFERENCES identities(device_id),
    snapshot    TEXT NOT NULL,
    last_hlc    TEXT,
    last_device TEXT,
    last_seq    INTEGER,
    updated_at  INTEGER NOT NULL
) STRICT;

-- The ledger (巡查台帐) tables, written from the projection in the same transaction.
CREATE TABLE patrols (
    owner        TEXT NOT NULL,
    id           TEXT NOT NULL,
    officer      TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    zone         TEXT NOT NULL,
    started_at   INTEGER NOT NULL,
    ended_at     INTEGER NOT NULL,
    track_points INTEGER NOT NULL,
    distance_m   INTEGER NOT NULL,
    summary      TEXT NOT NULL,
    result       TEXT NOT NULL CHECK (result IN ('nothing_found', 'findings')),
    findings     INTEGER NOT NULL,
    amendments   INTEGER NOT NULL,
    evidence     TEXT NOT NULL,
    PRIMARY KEY (owner, id)
) STRICT;

CREATE INDEX patrols_by_time ON patrols (owner, started_at);

CREATE TABLE amendments (
    owner    TEXT NOT NULL,
    event_id TEXT NOT NULL,
    patrol   TEXT NOT NULL,
    by_user  TEXT NOT NULL,
    reason   TEXT NOT NULL,
    PRIMARY KEY (owner, event_id)
) STRICT;

CREATE TABLE findings (
    owner           TEXT NOT NULL,
    id              TEXT NOT NULL,
    patrol          TEXT NOT NULL,
    officer         TEXT NOT NULL,
    zone            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    lon_e7          INTEGER NOT NULL,
    lat_e7          INTEGER NOT NULL,
    depth_m         INTEGER,
    mineral         TEXT,
    description     TEXT NOT NULL,
    stopped_on_spot INTEGER NOT NULL CHECK (stopped_on_spot IN (0, 1)),
    observed_at     INTEGER NOT NULL,
    high_priority   INTEGER NOT NULL CHECK (high_priority IN (0, 1)),
    PRIMARY KEY (owner, id)
) STRICT;

CREATE INDEX findings_by_patrol ON findings (owner, patrol);

CREATE TABLE zero_reports (
    owner    TEXT NOT NULL,
    officer  TEXT NOT NULL,
    week     TEXT NOT NULL,
    event_id TEXT NOT NULL,
    zone     TEXT,
    note     TEXT NOT NULL,
    PRIMARY KEY (owner, officer, week)
) STRICT;

-- Events whose transition does not hold in fold order: kept and shown, never dropped.
CREATE TABLE conflicts (
    owner    TEXT NOT NULL,
    event_id TEXT NOT NULL,
    kind     TEXT NOT NULL,
    problem  TEXT NOT NULL,
    PRIMARY KEY (owner, event_id)
) STRICT;
