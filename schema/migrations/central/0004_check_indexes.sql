-- What the checks at ingest need to stay fast as the store grows (found by the load bench):
-- an officer's patrols by end time (for overlaps); each device's latest stated time (for "behind
-- the device's previous events") kept up to date instead of scanned; and each patrol's track
-- fingerprint kept with its check, from which the writer builds its in-memory index of copied
-- tracks (a table indexed by fingerprint value made every commit rewrite pages all over it).

CREATE INDEX patrol_checks_by_officer_end ON patrol_checks (officer, ended_at);

CREATE TABLE device_clocks (
    device_id BLOB PRIMARY KEY,
    -- The greatest end or fix time of the patrols this device has sent (Unix ms).
    latest_t  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO device_clocks (device_id, latest_t)
SELECT device_id, max(max(ended_at, coalesce(last_fix, ended_at))) FROM patrol_checks GROUP BY device_id;

-- The fingerprint's values (sync_protocol::checks::plausibility::TrackFingerprint), 8 bytes each,
-- big-endian; NULL for a track too short to have one.
ALTER TABLE patrol_checks ADD COLUMN fingerprint BLOB;
UPDATE patrol_checks SET fingerprint = (
    SELECT unhex(group_concat(printf('%016x', value), '')) FROM (
        SELECT value FROM track_fingerprints f WHERE f.patrol = patrol_checks.patrol ORDER BY value
    )
);
DROP TABLE track_fingerprints;
