-- The counterpart of the SQLite set's 0016_officer_weeks: compliance's kept counts per ISO week and
-- officer (the patrols of the read model started in the week, how many count, how many are not
-- checked yet), kept by triggers on `patrols` and `patrol_checks` in the transaction that changes
-- either, and a patrol's week written beside its start.
ALTER TABLE patrols ADD COLUMN week text;

CREATE TABLE report_officer_weeks (
    week      text NOT NULL,
    officer   text NOT NULL,
    patrols   bigint NOT NULL,
    counting  bigint NOT NULL,
    unchecked bigint NOT NULL,
    PRIMARY KEY (week, officer)
);

-- Adds (delta 1) or takes away (delta -1) one patrol's counts in its officer's week.
CREATE FUNCTION tally_patrol(w text, o text, p bytea, delta bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    c boolean;
BEGIN
    SELECT counts INTO c FROM patrol_checks WHERE patrol = p;
    INSERT INTO report_officer_weeks VALUES (w, o, 0, 0, 0) ON CONFLICT DO NOTHING;
    UPDATE report_officer_weeks
    SET patrols = patrols + delta,
        counting = counting + CASE WHEN c THEN delta ELSE 0 END,
        unchecked = unchecked + CASE WHEN c IS NULL THEN delta ELSE 0 END
    WHERE week = w AND officer = o;
    DELETE FROM report_officer_weeks WHERE week = w AND officer = o AND patrols = 0;
END $$;

CREATE FUNCTION patrols_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        IF OLD.entry IS NOT NULL AND OLD.week IS NOT NULL THEN
            PERFORM tally_patrol(OLD.week, OLD.author, OLD.id, -1);
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        IF NEW.entry IS NOT NULL AND NEW.week IS NOT NULL THEN
            PERFORM tally_patrol(NEW.week, NEW.author, NEW.id, 1);
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER patrols_tally AFTER INSERT OR UPDATE OF author, week, entry OR DELETE ON patrols
    FOR EACH ROW EXECUTE FUNCTION patrols_tally();

-- Adds (delta 1) or takes away (delta -1) a check of the patrol `p` in its week's counts.
CREATE FUNCTION tally_check(p bytea, c boolean, delta bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE report_officer_weeks r
    SET counting = r.counting + CASE WHEN c THEN delta ELSE 0 END, unchecked = r.unchecked - delta
    FROM patrols x
    WHERE x.id = p AND x.entry IS NOT NULL AND r.week = x.week AND r.officer = x.author;
END $$;

CREATE FUNCTION patrol_checks_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM tally_check(OLD.patrol, OLD.counts, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM tally_check(NEW.patrol, NEW.counts, 1);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER patrol_checks_tally AFTER INSERT OR UPDATE OF patrol, counts OR DELETE ON patrol_checks
    FOR EACH ROW EXECUTE FUNCTION patrol_checks_tally();
