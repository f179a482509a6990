-- A patrol's candidate copies are found as the server finds them (issue 12: a linear phone): by
-- the votes of its fixes for one time offset, from each kept pass's time and position
-- (sync_protocol::checks::plausibility::fingerprint_index), not by any shared cell value. So
-- `patrol_index.fingerprint` now holds the passes in the server's stored form (16 bytes each:
-- value, seconds, east and north in the cell, big-endian) instead of the values alone. The table
-- is derived from `events`: it is emptied here and rebuilt for every identity when the replica is
-- next opened (`fold_rebuilds`, as after migration 0004).
DELETE FROM patrol_index;
INSERT OR IGNORE INTO fold_rebuilds (owner) SELECT device_id FROM identities;
