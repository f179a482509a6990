-- The counterpart of the SQLite set's 0018_ledger_rows: each patrol's finished ledger row (its
-- JSON) kept in the read model, NULL while it is to be written again; the triggers clear it in the
-- transaction that changes the patrol's entry or place, its check, its flags, or its findings'
-- verdicts or cases, and the writer writes every cleared row again before that transaction commits.
ALTER TABLE patrols ADD COLUMN ledger_row text;
CREATE INDEX patrols_ledger_row_due ON patrols (id) WHERE ledger_row IS NULL AND entry IS NOT NULL;

-- Clears the kept row of the patrol `p`, and of the patrol the finding `p` is on.
CREATE FUNCTION ledger_row_due(p bytea) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF p IS NULL THEN
        RETURN;
    END IF;
    UPDATE patrols SET ledger_row = NULL WHERE id = p AND ledger_row IS NOT NULL;
    UPDATE patrols SET ledger_row = NULL
    WHERE id IN (SELECT patrol FROM report_findings WHERE id = p) AND ledger_row IS NOT NULL;
END $$;

CREATE FUNCTION patrols_ledger_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.entry IS DISTINCT FROM NEW.entry OR OLD.village IS DISTINCT FROM NEW.village
        OR OLD.township IS DISTINCT FROM NEW.township THEN
        NEW.ledger_row := NULL;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER patrols_ledger_row BEFORE UPDATE OF entry, village, township ON patrols
    FOR EACH ROW EXECUTE FUNCTION patrols_ledger_row();

-- A row of `patrol_checks`, `flags`, `finding_checks` or `report_cases` changed: clears the kept row
-- of the patrol (or the finding's patrol) its column named by the trigger's argument holds.
CREATE FUNCTION ledger_row_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM ledger_row_due(decode(substr(to_jsonb(OLD) ->> TG_ARGV[0], 3), 'hex'));
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM ledger_row_due(decode(substr(to_jsonb(NEW) ->> TG_ARGV[0], 3), 'hex'));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER patrol_checks_ledger_row AFTER INSERT OR UPDATE OF patrol, counts, explanation OR DELETE ON patrol_checks
    FOR EACH ROW EXECUTE FUNCTION ledger_row_changed('patrol');
CREATE TRIGGER flags_ledger_row AFTER INSERT OR UPDATE OF event_id, kind, cleared_at OR DELETE ON flags
    FOR EACH ROW EXECUTE FUNCTION ledger_row_changed('event_id');
CREATE TRIGGER finding_checks_ledger_row AFTER INSERT OR UPDATE OF finding, verdict OR DELETE ON finding_checks
    FOR EACH ROW EXECUTE FUNCTION ledger_row_changed('finding');
CREATE TRIGGER report_cases_ledger_row AFTER INSERT OR UPDATE OF source, state OR DELETE ON report_cases
    FOR EACH ROW EXECUTE FUNCTION ledger_row_changed('source');

CREATE FUNCTION report_findings_ledger_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE patrols SET ledger_row = NULL WHERE id = OLD.patrol AND ledger_row IS NOT NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE patrols SET ledger_row = NULL WHERE id = NEW.patrol AND ledger_row IS NOT NULL;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER report_findings_ledger_row AFTER INSERT OR UPDATE OF patrol OR DELETE ON report_findings
    FOR EACH ROW EXECUTE FUNCTION report_findings_ledger_row();
