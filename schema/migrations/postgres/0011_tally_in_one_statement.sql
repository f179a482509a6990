-- The officer-week tally of migration 0008 kept with fewer statements for a new patrol and a new
-- check (the writer's push on PostgreSQL, issue 16): the triggers run them themselves rather than
-- through a function call each, and a new patrol's counts are added by one upsert that reads its
-- check in the same statement (where `tally_patrol` runs four), the row deleted only when that
-- leaves it no patrol. Changed and removed rows still go through `tally_patrol` and `tally_check`.
-- The counts kept are the same in every case.

-- A new patrol (the push's case) is added here; a changed or removed one through `tally_patrol`.
CREATE OR REPLACE FUNCTION patrols_tally() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    left_over bigint;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        IF OLD.entry IS NOT NULL AND OLD.week IS NOT NULL THEN
            PERFORM tally_patrol(OLD.week, OLD.author, OLD.id, -1);
        END IF;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF NEW.entry IS NOT NULL AND NEW.week IS NOT NULL THEN
            PERFORM tally_patrol(NEW.week, NEW.author, NEW.id, 1);
        END IF;
    ELSIF TG_OP = 'INSERT' THEN
        IF NEW.entry IS NOT NULL AND NEW.week IS NOT NULL THEN
            INSERT INTO report_officer_weeks AS r (week, officer, patrols, counting, unchecked)
            SELECT NEW.week, NEW.author, 1, CASE WHEN c.counts THEN 1 ELSE 0 END, CASE WHEN c.counts IS NULL THEN 1 ELSE 0 END
            FROM (SELECT (SELECT counts FROM patrol_checks WHERE patrol = NEW.id) AS counts) c
            ON CONFLICT (week, officer) DO UPDATE
            SET patrols = r.patrols + excluded.patrols,
                counting = r.counting + excluded.counting,
                unchecked = r.unchecked + excluded.unchecked
            RETURNING r.patrols INTO left_over;
            IF left_over = 0 THEN
                DELETE FROM report_officer_weeks WHERE week = NEW.week AND officer = NEW.author AND patrols = 0;
            END IF;
        END IF;
    END IF;
    RETURN NULL;
END $$;

-- A new check (the push's case) is counted here; a changed or removed one through `tally_check`.
CREATE OR REPLACE FUNCTION patrol_checks_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM tally_check(OLD.patrol, OLD.counts, -1);
    END IF;
    IF TG_OP = 'UPDATE' THEN
        PERFORM tally_check(NEW.patrol, NEW.counts, 1);
    ELSIF TG_OP = 'INSERT' THEN
        UPDATE report_officer_weeks r
        SET counting = r.counting + CASE WHEN NEW.counts THEN 1 ELSE 0 END, unchecked = r.unchecked - 1
        FROM patrols x
        WHERE x.id = NEW.patrol AND x.entry IS NOT NULL AND r.week = x.week AND r.officer = x.author;
    END IF;
    RETURN NULL;
END $$;
