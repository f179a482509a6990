-- The refresh token of each identity's session (issue 6): spent for a new access token when the
-- old one has expired, so the officer types the password only when the session has ended.
ALTER TABLE identities ADD COLUMN refresh_token TEXT;
ALTER TABLE identities ADD COLUMN refresh_expires_at INTEGER;   -- Unix ms
