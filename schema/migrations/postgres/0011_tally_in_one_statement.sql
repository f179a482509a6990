-- The officer-week tally of migration 0008 kept with one statement per patrol rather than four
-- (the writer's push on PostgreSQL, issue 16): the patrol's counts are added by an upsert that
-- reads its check in the same statement, and the row is deleted only when that leaves it no
-- patrol. The counts kept are the same in every case, a missing row and a negative delta too.
CREATE OR REPLACE FUNCTION tally_patrol(w text, o text, p bytea, delta bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    left_over bigint;
BEGIN
    INSERT INTO report_officer_weeks AS r (week, officer, patrols, counting, unchecked)
    SELECT w, o, delta, CASE WHEN c.counts THEN delta ELSE 0 END, CASE WHEN c.counts IS NULL THEN delta ELSE 0 END
    FROM (SELECT (SELECT counts FROM patrol_checks WHERE patrol = p) AS counts) c
    ON CONFLICT (week, officer) DO UPDATE
    SET patrols = r.patrols + excluded.patrols,
        counting = r.counting + excluded.counting,
        unchecked = r.unchecked + excluded.unchecked
    RETURNING r.patrols INTO left_over;
    IF left_over = 0 THEN
        DELETE FROM report_officer_weeks WHERE week = w AND officer = o AND patrols = 0;
    END IF;
END $$;
