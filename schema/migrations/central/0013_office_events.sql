-- The office's records and the reference data (every kind not recorded in the field) read without
-- walking the patrols: GET /v1/office (the console's map and case board) reads this index.
CREATE INDEX events_by_kind ON events (kind, server_seq) WHERE accepted = 1;
