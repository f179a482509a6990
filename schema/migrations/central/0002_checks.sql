-- The checks made at ingest (issue 3): each patrol's geofence report and quota decision, each
-- finding's licence verdict, the fingerprints that find copied tracks, and flags that carry the
-- place and week they concern so that each level can list its own.

-- One row per accepted patrol, rewritten when a zone or assignment change re-checks it.
CREATE TABLE patrol_checks (
    patrol      BLOB PRIMARY KEY,
    officer     TEXT NOT NULL,
    device_id   BLOB NOT NULL,
    zone        TEXT NOT NULL,
    village     TEXT,
    township    TEXT,
    week        TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    ended_at    INTEGER NOT NULL,
    -- Earliest and latest fix times (NULL for an empty track): what a re-check looks at.
    first_fix   INTEGER,
    last_fix    INTEGER,
    counts      INTEGER NOT NULL,
    explanation TEXT NOT NULL,
    -- The pure check's result (sync_protocol::checks::recheck::PatrolCheck) as JSON.
    report      TEXT NOT NULL,
    checked_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX patrol_checks_by_officer ON patrol_checks (officer, first_fix);
CREATE INDEX patrol_checks_by_week ON patrol_checks (week, village);

-- One row per accepted finding: the licence it lies in and the verdict as JSON.
CREATE TABLE finding_checks (
    finding       BLOB PRIMARY KEY,
    patrol        BLOB NOT NULL,
    licence       TEXT,
    high_priority INTEGER NOT NULL,
    verdict       TEXT NOT NULL,
    checked_at    INTEGER NOT NULL
) STRICT;

-- Bottom-k sketch values of each patrol's track, to find candidates for a copied track.
CREATE TABLE track_fingerprints (
    value  INTEGER NOT NULL,
    patrol BLOB NOT NULL,
    PRIMARY KEY (value, patrol)
) STRICT, WITHOUT ROWID;

-- Where and when a flag applies, so each level sees its own (NULL: county only), and whether a
-- re-check withdrew it (flags are never deleted).
ALTER TABLE flags ADD COLUMN officer TEXT;
ALTER TABLE flags ADD COLUMN village TEXT;
ALTER TABLE flags ADD COLUMN township TEXT;
ALTER TABLE flags ADD COLUMN week TEXT;
ALTER TABLE flags ADD COLUMN cleared_at INTEGER;
CREATE INDEX flags_by_event ON flags (event_id);
CREATE INDEX flags_by_place ON flags (township, village, week);
