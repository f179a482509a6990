-- PostgreSQL only (no SQLite counterpart: one process writes a SQLite file). Several server
-- processes share one database and take the writer role one batch at a time; each batch draws
-- the next value before it commits. A writer that finds a value other than the one it drew last
-- knows another process committed since, and brings its caches up to date before its own batch
-- (docs/architecture.md, "Several server processes"). A sequence rather than a row: a draw
-- writes no row version, and one whose batch rolled back only costs the others a catch-up.
CREATE SEQUENCE writer_generation;
