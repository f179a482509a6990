-- People administration (issue 11): a password an admin reset is a one-time password, which its
-- user must replace at their next login; and the access log of logins, failed logins and password
-- changes, which county roles read (GET /v1/audit/access). The log holds who and when, never a
-- password or a token.

ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN phone TEXT;

CREATE TABLE access_log (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,            -- Unix ms
    username  TEXT NOT NULL,               -- as given at login (it may name no user)
    what      TEXT NOT NULL CHECK (what IN ('login', 'login_failed', 'password_changed', 'password_reset')),
    device    BLOB CHECK (device IS NULL OR length(device) = 16),
    by_user   TEXT,                        -- the admin who reset a password
    detail    TEXT NOT NULL DEFAULT ''     -- why a login failed, or how a password changed
) STRICT;
CREATE INDEX access_log_by_user ON access_log (username, id);
