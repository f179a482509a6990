-- Reports that cost in proportion to their answer (issue 12).
--
-- The open cases and open tips are read through partial indexes, which SQLite uses only when the
-- query's condition is the index's, as written. The indexes of 0011 said `closed = 0` and
-- `open = 1`, which PostgreSQL cannot compare with its booleans; they are made again with the
-- condition both engines read alike (`NOT closed`, `open`), the one the shared queries write.
DROP INDEX report_cases_open;
CREATE INDEX report_cases_open ON report_cases (township) WHERE NOT closed;
DROP INDEX report_tips_open;
CREATE INDEX report_tips_open ON report_tips (township) WHERE open;

-- The townships that have any case or tip (compliance lists them), found one township at a time
-- by a seek each rather than by reading every case and tip.
CREATE INDEX report_cases_by_township ON report_cases (township, id);
CREATE INDEX report_tips_by_township ON report_tips (township);

