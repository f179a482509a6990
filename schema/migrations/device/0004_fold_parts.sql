-- The projection kept in parts (issue 12: a linear phone). The one JSON snapshot of the whole
-- projection, rewritten on every applied page, becomes one row per part of the fold
-- (sync_protocol::fold::parts): a patrol with its amendments, findings and attachments; a tip
-- with its cases; a zone; an officer's assignments; and so on. An applied event rewrites only
-- its part's row, and an event that sorts before its part's last one folds that part again, not
-- everything. Every table here is derived from `events` and `outbox`; the code rebuilds them for
-- each identity listed in `fold_rebuilds` when it opens the replica (all of them, after this
-- migration), so an existing replica upgrades in place.

-- The anchor of each event: the part its fold belongs to, or the finding or case it waits on
-- (see `fold_joins`). A function of the event alone, set when the event is inserted.
ALTER TABLE events ADD COLUMN anchor TEXT;
CREATE INDEX events_by_anchor ON events (owner, anchor);

-- Nothing reads every event in fold order any more: a part's events are read by anchor.
DROP INDEX events_fold_order;

-- Anchors joined to a part: `finding:<F>` to the part of F's patrol once `finding.reported` F is
-- held, `case:<C>` to `tip:<T>` once `case.opened` C (on tip T) is held. Never removed: a part
-- larger than it needs to be still folds exactly.
CREATE TABLE fold_joins (
    owner  TEXT NOT NULL,
    anchor TEXT NOT NULL,
    part   TEXT NOT NULL,
    PRIMARY KEY (owner, anchor)
) STRICT;

CREATE INDEX fold_joins_by_part ON fold_joins (owner, part);

-- The fold of each part's events that the identity folds (events::LEFT_OUT says which it does
-- not), with the fold key of its last event: a new event that sorts after it is applied on top.
-- A part with no such event has no row.
CREATE TABLE fold_parts (
    owner       TEXT NOT NULL,
    part        TEXT NOT NULL,
    snapshot    TEXT NOT NULL,           -- sync_protocol::fold::Projection as JSON, empty fields left out
    keys        TEXT,                    -- the fold keys of its conflicts and unreadable events, if any
    last_hlc    TEXT NOT NULL,
    last_device TEXT NOT NULL,
    last_seq    INTEGER NOT NULL,
    PRIMARY KEY (owner, part)
) STRICT;

-- Identities whose anchors, joins, parts, ledger tables and patrol times are to be rebuilt from
-- their events when the replica is next opened.
CREATE TABLE fold_rebuilds (
    owner TEXT PRIMARY KEY
) STRICT;

INSERT INTO fold_rebuilds (owner) SELECT device_id FROM identities;

DROP TABLE projections;

-- Every patrol.recorded the identity holds (folded or not; a purge drops its row with the event), by officer, device and zone, with its
-- track's fingerprint (sync_protocol::checks::plausibility::TrackFingerprint: its cells' values, 8 bytes each,
-- big-endian): what a new patrol's plausibility is compared with (overlapping patrols, the
-- device's clock, copied tracks), read by index instead of from every event.
CREATE TABLE patrol_index (
    owner       TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    officer     TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    zone        TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    ended_at    INTEGER NOT NULL,
    latest_t    INTEGER NOT NULL,        -- the later of ended_at and the last fix's time
    fingerprint BLOB,                    -- NULL for a track of fewer than 3 fixes
    PRIMARY KEY (owner, zone, event_id)  -- kept in zone order: copies are looked for in a zone
) STRICT, WITHOUT ROWID;

CREATE INDEX patrol_index_by_officer ON patrol_index (owner, officer, ended_at);
CREATE INDEX patrol_index_by_device ON patrol_index (owner, device_id, latest_t, seq);

-- An officer's findings by time, for the week on the phone.
CREATE INDEX findings_by_officer ON findings (owner, officer, observed_at);
