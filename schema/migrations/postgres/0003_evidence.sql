-- Evidence: every accepted attachment.added with the place it concerns, the blobs whose bytes are
-- complete on the server, who has proved they hold a blob's bytes, and each tip's township (its
-- bucket's owner).

CREATE TABLE attachments (
    server_seq   bigint PRIMARY KEY,             -- the event's server_seq (its routes)
    event_id     bytea NOT NULL UNIQUE,
    sha256       text NOT NULL CHECK (length(sha256) = 64),
    size         bigint NOT NULL CHECK (size > 0),
    media_type   text NOT NULL,
    subject_kind text NOT NULL,
    subject_id   bytea NOT NULL,
    officer      text NOT NULL,
    village      text,
    township     text,
    added_at     bigint NOT NULL
);
CREATE INDEX attachments_by_blob ON attachments (sha256);
CREATE INDEX attachments_by_subject ON attachments (subject_id);
CREATE INDEX attachments_by_place ON attachments (township, village);

CREATE TABLE blobs (
    sha256     text PRIMARY KEY CHECK (length(sha256) = 64),
    size       bigint NOT NULL,
    media_type text NOT NULL,
    stored_at  bigint NOT NULL
);

CREATE TABLE blob_holders (
    sha256    text NOT NULL CHECK (length(sha256) = 64),
    user_id   text NOT NULL,
    proved_at bigint NOT NULL,
    PRIMARY KEY (sha256, user_id)
);

CREATE TABLE tips (
    id       bytea PRIMARY KEY,                  -- the tip's id: its tip.received event's
    township text NOT NULL
);
CREATE INDEX tips_by_township ON tips (township);
