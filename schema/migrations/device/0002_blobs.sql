-- Evidence on the phone (issue 5): the blobs held in the replica's blob folder
-- (`<replica file>.blobs/<sha256>`), shared by every identity on the phone since a blob is named
-- by its content, and whether the server is known to hold each one.

CREATE TABLE blobs (
    sha256      TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    size        INTEGER NOT NULL CHECK (size > 0),
    media_type  TEXT NOT NULL,
    -- 1 once the server answered that it holds the complete blob (upload done, HEAD 200, fetched).
    on_server   INTEGER NOT NULL DEFAULT 0 CHECK (on_server IN (0, 1)),
    stored_at   INTEGER NOT NULL,
    uploaded_at INTEGER,
    last_error  TEXT
) STRICT;
