-- Reports that cost in proportion to their answer (issue 12).
--
-- The open cases and open tips are read through partial indexes, which SQLite uses only when the
-- query's condition is the index's, as written. The indexes of 0011 said `closed = 0` and
-- `open = 1`, which PostgreSQL cannot compare with its booleans; they are made again with the
-- condition both engines read alike (`NOT closed`, `open`), the one the shared queries write.
DROP INDEX report_cases_open;
CREATE INDEX report_cases_open ON report_cases (township) WHERE NOT closed;
DROP INDEX report_tips_open;
CREATE INDEX report_tips_open ON report_tips (township) WHERE open;

-- The townships that have any case or tip (compliance lists them), found one township at a time
-- by a seek each rather than by reading every case and tip.
CREATE INDEX report_cases_by_township ON report_cases (township, id);
CREATE INDEX report_tips_by_township ON report_tips (township);

-- The flag list (`GET /v1/flags`, newest first) names only the filters given; each index below
-- gives one filter's flags (or a scope's: one village, one township) in id order, so a page reads
-- about its own rows. The console's map asks for a township's week. `flags_by_kind` and
-- `flags_by_place` (0001, 0002) are replaced: the first by kind and id, the second, whose columns
-- after the township a list never states together, by township, week and id.
DROP INDEX flags_by_kind;
DROP INDEX flags_by_place;
CREATE INDEX flags_by_kind ON flags (kind, id);
CREATE INDEX flags_by_township ON flags (township, id);
CREATE INDEX flags_by_township_week ON flags (township, week, id);
CREATE INDEX flags_by_village ON flags (village, id);
CREATE INDEX flags_by_week ON flags (week, id);
CREATE INDEX flags_by_officer ON flags (officer, id);
CREATE INDEX flags_high_priority ON flags (id) WHERE high_priority;
-- The open list (the default): neither withdrawn nor reviewed.
CREATE INDEX flags_open ON flags (id) WHERE cleared_at IS NULL AND reviewed_at IS NULL;

-- The attachments whose author has not proved holding their blob (none has, while the blob is not
-- stored): missing evidence, which every reconciliation report lists. Kept by the writer in the
-- transaction that stores an attachment (a row when its author holds no proof) or proves a holding
-- (the author's rows of that blob go), so the listing reads the missing, not every attachment.
-- Not evidence itself: `attachments` and `blob_holders` are, and the read model's rebuild and
-- audit derive these rows from them again.
CREATE TABLE attachments_missing (
    server_seq INTEGER PRIMARY KEY,          -- the attachment's
    sha256     TEXT NOT NULL,
    officer    TEXT NOT NULL,
    village    TEXT,                         -- the attachment's place, which a scope reads
    township   TEXT
) STRICT;
CREATE INDEX attachments_missing_by_holder ON attachments_missing (sha256, officer);
INSERT INTO attachments_missing (server_seq, sha256, officer, village, township)
SELECT a.server_seq, a.sha256, a.officer, a.village, a.township FROM attachments a
WHERE NOT EXISTS (SELECT 1 FROM blob_holders h WHERE h.sha256 = a.sha256 AND h.user_id = a.officer);
