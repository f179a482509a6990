-- The counterpart of the SQLite set's 0017_fingerprint_positions: each pass of a track's
-- fingerprint keeps its value (8 bytes), its seconds into the track (4), and where its first fix
-- lies within the cell, east and north (2 each), big-endian, 16 bytes a pass. Fingerprints of the
-- earlier form are cleared, to be computed again from their events.
UPDATE patrol_checks SET fingerprint = NULL;
COMMENT ON COLUMN patrol_checks.fingerprint IS
    'passes through kept cells, 16 bytes each: value (8), seconds into the track (4), east and north within the cell (2 + 2), big-endian; empty: too short; NULL: to be computed';
