-- The officer-week tally (migrations 0008, 0011) and a new check's clearing of its patrol's kept
-- ledger row (0012, 0013) kept once per INSERT statement over its new rows (a transition table)
-- rather than once per row: the writer now inserts a push's new patrols and their checks as one
-- multi-row statement each (issue 16; server/src/store/postgres/grouped.rs), where a row trigger
-- cost a PL/pgSQL call per row. UPDATE and DELETE keep the row triggers of 0008 to 0013, whose
-- functions' INSERT branches no trigger calls any more. The counts kept and the rows cleared are
-- the same: within a statement a row's own effect does not depend on the others', and a patrol's
-- counts still come out the same whichever of it and its check is inserted first. An INSERT with
-- ON CONFLICT DO UPDATE puts only the rows it inserted in the transition table; those it updated
-- fire the UPDATE row triggers, as before.

DROP TRIGGER patrols_tally ON patrols;
CREATE TRIGGER patrols_tally AFTER UPDATE OF author, week, entry OR DELETE ON patrols
    FOR EACH ROW EXECUTE FUNCTION patrols_tally();

-- New patrols: each (week, officer) of them counted by one upsert, with their checks as stored.
-- Every table is read through its key, row by row (a scalar subquery, a loop): a transition
-- table's size is unknown to the planner, which otherwise joined it with the whole of `patrols`
-- or `patrol_checks` (a scan of the table per statement, measured on the 40,000-event push).
CREATE FUNCTION patrols_tally_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    w text;
    o text;
    left_over bigint;
BEGIN
    FOR w, o, left_over IN
        INSERT INTO report_officer_weeks AS r (week, officer, patrols, counting, unchecked)
        SELECT n.week, n.author, count(*), count(*) FILTER (WHERE n.counts), count(*) FILTER (WHERE n.counts IS NULL)
        FROM (SELECT p.week, p.author, (SELECT c.counts FROM patrol_checks c WHERE c.patrol = p.id) AS counts
              FROM new_patrols p WHERE p.entry IS NOT NULL AND p.week IS NOT NULL) n
        GROUP BY n.week, n.author
        ON CONFLICT (week, officer) DO UPDATE
        SET patrols = r.patrols + excluded.patrols,
            counting = r.counting + excluded.counting,
            unchecked = r.unchecked + excluded.unchecked
        RETURNING r.week, r.officer, r.patrols
    LOOP
        -- As 0011: a row left with no patrol goes (only a count already wrong can come to that).
        IF left_over = 0 THEN
            DELETE FROM report_officer_weeks WHERE week = w AND officer = o AND patrols = 0;
        END IF;
    END LOOP;
    RETURN NULL;
END $$;
CREATE TRIGGER patrols_tally_inserted AFTER INSERT ON patrols
    REFERENCING NEW TABLE AS new_patrols FOR EACH STATEMENT EXECUTE FUNCTION patrols_tally_inserted();

DROP TRIGGER patrol_checks_tally ON patrol_checks;
CREATE TRIGGER patrol_checks_tally AFTER UPDATE OF patrol, counts OR DELETE ON patrol_checks
    FOR EACH ROW EXECUTE FUNCTION patrol_checks_tally();
DROP TRIGGER patrol_checks_ledger_row ON patrol_checks;
CREATE TRIGGER patrol_checks_ledger_row AFTER UPDATE OF patrol, counts, explanation OR DELETE ON patrol_checks
    FOR EACH ROW EXECUTE FUNCTION patrol_column_ledger_row();

-- New checks: each moves its patrol, if stored, from unchecked to its count, per (week, officer),
-- and clears the patrol's kept row (a patrol not stored yet is counted with its check, and its
-- kept row written with it, when it is inserted).
CREATE FUNCTION patrol_checks_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    w text;
    o text;
    added_checks bigint;
    added_counting bigint;
    checked bytea;
BEGIN
    FOR w, o, added_checks, added_counting IN
        SELECT x.week, x.author, count(*), count(*) FILTER (WHERE n.counts)
        FROM new_checks n
        CROSS JOIN LATERAL (SELECT p.week, p.author FROM patrols p WHERE p.id = n.patrol AND p.entry IS NOT NULL OFFSET 0) x
        GROUP BY x.week, x.author
    LOOP
        UPDATE report_officer_weeks r SET counting = r.counting + added_counting, unchecked = r.unchecked - added_checks
        WHERE r.week = w AND r.officer = o;
    END LOOP;
    FOR checked IN SELECT patrol FROM new_checks LOOP
        UPDATE patrols SET ledger_row = NULL WHERE id = checked AND ledger_row IS NOT NULL;
    END LOOP;
    RETURN NULL;
END $$;
CREATE TRIGGER patrol_checks_inserted AFTER INSERT ON patrol_checks
    REFERENCING NEW TABLE AS new_checks FOR EACH STATEMENT EXECUTE FUNCTION patrol_checks_inserted();
