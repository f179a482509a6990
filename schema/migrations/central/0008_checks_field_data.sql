-- The checks as tried on field data (issue 13): high priority visible on every flag of a finding
-- that involves a protected mineral (rare earth, tin), so the flag list can show and filter it.

ALTER TABLE flags ADD COLUMN high_priority INTEGER NOT NULL DEFAULT 0;
UPDATE flags SET high_priority = 1 WHERE event_id IN (SELECT finding FROM finding_checks WHERE high_priority = 1);

-- A zero report for a week in which the same officer reported a finding is contradictory: each
-- finding's officer and ISO week (county time) beside its check, and every accepted zero report by
-- officer and week, so that either arriving second finds the other.
ALTER TABLE finding_checks ADD COLUMN officer TEXT;
ALTER TABLE finding_checks ADD COLUMN week TEXT;
UPDATE finding_checks SET
    officer = (SELECT author FROM events WHERE events.id = finding_checks.finding),
    week = (SELECT strftime('%G-W%V', json_extract(raw, '$.body.observed_at') / 1000 + 8 * 3600, 'unixepoch')
            FROM events WHERE events.id = finding_checks.finding);
CREATE INDEX finding_checks_by_officer_week ON finding_checks (officer, week);

CREATE TABLE zero_reports (
    report    BLOB PRIMARY KEY,
    device_id BLOB NOT NULL,
    officer   TEXT NOT NULL,
    week      TEXT NOT NULL,
    zone      TEXT
) STRICT;
INSERT INTO zero_reports (report, device_id, officer, week, zone)
SELECT id, device_id, json_extract(raw, '$.body.officer'), json_extract(raw, '$.body.week'), json_extract(raw, '$.body.zone')
FROM events WHERE kind = 'zero_report.filed' AND accepted = 1;
CREATE INDEX zero_reports_by_officer_week ON zero_reports (officer, week);

-- A device whose clock is off the server's gets one notice (checks::clock): the offset it states,
-- so that the next sync raises another only when the clock has moved, and withdraws it when set right.
CREATE TABLE device_clock_notices (
    device_id BLOB PRIMARY KEY,
    offset_ms INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- A track's fingerprint is now the grid cells of its fixes, which find copies moved by a metre or
-- two, not hashes of exact positions: the old ones are cleared, and the server recomputes every
-- missing one from its event when it opens the store (an empty blob: a track too short to have one).
UPDATE patrol_checks SET fingerprint = NULL;
