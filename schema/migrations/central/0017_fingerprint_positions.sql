-- Each pass of a track's fingerprint now also keeps where its first fix lies within its cell (16
-- bytes a pass instead of 12: sync_protocol::checks::plausibility::fingerprint, "Positions"), so
-- that a probing fix votes only for a stored pass within the copy distance of it and the writer
-- compares in full only the earlier walks a copy could be of. The old ones are cleared, and the
-- server recomputes every missing one from its event when it opens the store.
UPDATE patrol_checks SET fingerprint = NULL;
