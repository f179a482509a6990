-- The checks made at ingest: each patrol's geofence report and quota decision with its track
-- fingerprint, each finding's licence verdict, zero reports by officer and week, and what the
-- clock checks remember of each device (see ../central/0002, 0004, 0007 and 0008 for why).

CREATE TABLE patrol_checks (
    patrol      bytea PRIMARY KEY,
    officer     text NOT NULL,
    device_id   bytea NOT NULL,
    zone        text NOT NULL,
    village     text,
    township    text,
    week        text NOT NULL,
    started_at  bigint NOT NULL,
    ended_at    bigint NOT NULL,
    first_fix   bigint,                          -- earliest and latest fix (NULL: an empty track)
    last_fix    bigint,
    counts      boolean NOT NULL,
    explanation text NOT NULL,
    report      text NOT NULL,                   -- sync_protocol::checks::recheck::PatrolCheck as JSON
    checked_at  bigint NOT NULL,
    fingerprint bytea                            -- 8 bytes a value, big-endian; empty: too short
);
CREATE INDEX patrol_checks_by_officer ON patrol_checks (officer, first_fix);
CREATE INDEX patrol_checks_by_week ON patrol_checks (week, village);
CREATE INDEX patrol_checks_by_officer_end ON patrol_checks (officer, ended_at);
-- Patrols longer than a day, looked up apart for overlaps (LONG_PATROL_MS: 86,400,000 ms).
CREATE INDEX patrol_checks_long_by_officer_end ON patrol_checks (officer, ended_at) WHERE ended_at - started_at > 86400000;

CREATE TABLE finding_checks (
    finding       bytea PRIMARY KEY,
    patrol        bytea NOT NULL,
    licence       text,
    high_priority boolean NOT NULL,
    verdict       text NOT NULL,
    checked_at    bigint NOT NULL,
    officer       text,
    week          text
);
CREATE INDEX finding_checks_by_officer_week ON finding_checks (officer, week);

-- The greatest end or fix time of the patrols each device has sent (Unix ms).
CREATE TABLE device_clocks (
    device_id bytea PRIMARY KEY,
    latest_t  bigint NOT NULL
);

CREATE TABLE zero_reports (
    report    bytea PRIMARY KEY,
    device_id bytea NOT NULL,
    officer   text NOT NULL,
    week      text NOT NULL,
    zone      text
);
CREATE INDEX zero_reports_by_officer_week ON zero_reports (officer, week);

-- The clock offset each device was last told about (checks::clock).
CREATE TABLE device_clock_notices (
    device_id bytea PRIMARY KEY,
    offset_ms bigint NOT NULL
);
