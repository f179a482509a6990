-- Issue 14: evidence that a hash cannot unlock, and tips that move with their records.

-- Who has proved they hold a blob's bytes: they uploaded them, or sent them again when the blob
-- was stored already. An attachment grants access to its blob only when its author is here.
CREATE TABLE blob_holders (
    sha256    TEXT NOT NULL CHECK (length(sha256) = 64),
    user_id   TEXT NOT NULL,
    proved_at INTEGER NOT NULL,
    PRIMARY KEY (sha256, user_id)
) STRICT;

CREATE TRIGGER blob_holders_no_update BEFORE UPDATE ON blob_holders
BEGIN SELECT RAISE(ABORT, 'blob_holders is append-only evidence: UPDATE refused'); END;
CREATE TRIGGER blob_holders_no_delete BEFORE DELETE ON blob_holders
BEGIN SELECT RAISE(ABORT, 'blob_holders is append-only evidence: DELETE refused'); END;

-- Blobs stored before: their uploader is not recorded. The author of the first attachment naming
-- each is taken as its holder (an upload needed an attachment the uploader could see, and the
-- first one is almost always the uploader's); any later author must send the bytes again.
INSERT OR IGNORE INTO blob_holders (sha256, user_id, proved_at)
SELECT a.sha256, a.officer, b.stored_at
FROM attachments a JOIN blobs b ON b.sha256 = a.sha256
WHERE a.server_seq = (SELECT min(x.server_seq) FROM attachments x WHERE x.sha256 = a.sha256);

-- Each tip's current township (the latest tip.assigned's in commit order, else its
-- tip.received's), kept by the writer: a township inspector's scope holds the bucket
-- `tip:<id>` of each tip of their townships.
CREATE TABLE tips (
    id       BLOB PRIMARY KEY,  -- the tip's id: its tip.received event's
    township TEXT NOT NULL
) STRICT;
CREATE INDEX tips_by_township ON tips (township);

CREATE TEMP TABLE tip_events AS
SELECT server_seq, id, kind, raw FROM events
WHERE accepted = 1 AND kind IN ('tip.received', 'tip.assigned', 'tip.informant', 'attachment.added');

INSERT OR IGNORE INTO tips (id, township)
SELECT id, json_extract(raw, '$.body.township') FROM tip_events WHERE kind = 'tip.received';

INSERT INTO tips (id, township)
SELECT unhex(replace(json_extract(raw, '$.body.tip'), '-', '')), json_extract(raw, '$.body.township')
FROM tip_events WHERE kind = 'tip.assigned' ORDER BY server_seq
ON CONFLICT (id) DO UPDATE SET township = excluded.township;

-- A tip, its informants and its attachments move from their township bucket to the tip's bucket.
CREATE TEMP TABLE tip_routes AS
SELECT server_seq,
       'tip:' || lower(substr(hex(id), 1, 8) || '-' || substr(hex(id), 9, 4) || '-' || substr(hex(id), 13, 4) || '-' ||
                       substr(hex(id), 17, 4) || '-' || substr(hex(id), 21, 12)) AS bucket
FROM tip_events WHERE kind = 'tip.received'
UNION ALL
SELECT server_seq, 'tip:' || json_extract(raw, '$.body.tip') FROM tip_events WHERE kind = 'tip.informant'
UNION ALL
SELECT server_seq, 'tip:' || json_extract(raw, '$.body.subject.id') FROM tip_events
WHERE kind = 'attachment.added' AND json_extract(raw, '$.body.subject.kind') = 'tip';

DELETE FROM event_routes WHERE server_seq IN (SELECT server_seq FROM tip_routes) AND bucket LIKE 'township:%';
INSERT OR IGNORE INTO event_routes (bucket, server_seq) SELECT bucket, server_seq FROM tip_routes;

DROP TABLE tip_routes;
DROP TABLE tip_events;
