-- Putting a county into service (issue 11).
-- How each identity reaches its server: the county CA given at login (PEM), and whether the
-- officer allowed plain http:// to a host other than the phone itself.
ALTER TABLE identities ADD COLUMN ca_pem TEXT;
ALTER TABLE identities ADD COLUMN allow_plain_http INTEGER NOT NULL DEFAULT 0 CHECK (allow_plain_http IN (0, 1));

-- The server's log as this identity last witnessed it (protocol.md §7.12): the store's epoch,
-- the latest signed checkpoint (note text) and the frontier of that checkpoint's tree (JSON),
-- checked for consistency on every sync.
CREATE TABLE witness (
    owner      TEXT PRIMARY KEY REFERENCES identities(device_id),
    epoch      TEXT NOT NULL,
    size       INTEGER NOT NULL CHECK (size >= 0),
    checkpoint TEXT NOT NULL,
    frontier   TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- What the witness saw that an officer must know about: a server restored from a backup, a
-- server whose log does not extend the one witnessed. Kept, never updated.
CREATE TABLE server_notices (
    owner       TEXT NOT NULL REFERENCES identities(device_id),
    at          INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    detail      TEXT NOT NULL
) STRICT;

-- Pulled events that failed their checks (hash, envelope): kept aside as the server sent them,
-- never folded, shown to the officer; the rest of the reply is applied.
CREATE TABLE held_aside (
    owner       TEXT NOT NULL REFERENCES identities(device_id),
    bucket      TEXT NOT NULL,
    event_id    TEXT,
    problem     TEXT NOT NULL,
    raw         TEXT NOT NULL,
    received_at INTEGER NOT NULL
) STRICT;
