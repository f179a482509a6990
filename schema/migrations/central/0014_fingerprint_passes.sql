-- A track's fingerprint now keeps the time of every pass through a kept cell, not only the first
-- (sync_protocol::checks::plausibility::fingerprint), so that a copy of a walk round one loop many
-- times is found: the old ones are cleared, and the server recomputes every missing one from its
-- event when it opens the store.
UPDATE patrol_checks SET fingerprint = NULL;
