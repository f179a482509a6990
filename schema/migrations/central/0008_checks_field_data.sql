-- The checks as tried on field data (issue 13): high priority visible on every flag of a finding
-- that involves a protected mineral (rare earth, tin), so the flag list can show and filter it.

ALTER TABLE flags ADD COLUMN high_priority INTEGER NOT NULL DEFAULT 0;
UPDATE flags SET high_priority = 1 WHERE event_id IN (SELECT finding FROM finding_checks WHERE high_priority = 1);
