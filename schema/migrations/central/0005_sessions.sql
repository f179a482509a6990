-- Login sessions and their rotating refresh tokens (issue 6). A session is one login of one user
-- on one device; access tokens carry its id, so ending it ends them at their next request.
-- The signing secret no longer lives in the database: it moved to the token key file.

CREATE TABLE sessions (
    id          BLOB PRIMARY KEY CHECK (length(id) = 16),
    user_id     TEXT NOT NULL REFERENCES users(id),
    device_id   BLOB NOT NULL REFERENCES devices(id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,            -- the session's absolute end, Unix ms
    revoked_at  INTEGER,
    revoked_why TEXT                         -- logout, refresh_reused, user_disabled, device_revoked
) STRICT;
CREATE INDEX sessions_by_device ON sessions (device_id);

-- Only the SHA-256 of each refresh token is kept.
CREATE TABLE refresh_tokens (
    digest     BLOB PRIMARY KEY CHECK (length(digest) = 32),
    session    BLOB NOT NULL REFERENCES sessions(id),
    generation INTEGER NOT NULL,
    issued_at  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,                      -- spent on a refresh
    superseded INTEGER NOT NULL DEFAULT 0    -- replaced unused by a refresh inside the grace
) STRICT;
CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session, generation);

DELETE FROM meta WHERE key = 'jwt_secret';
