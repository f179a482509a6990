-- A patrol's check clears its kept ledger row through a trigger of its own, reading the row's
-- `patrol` column itself: the shared `ledger_row_changed` of migration 0012 turned the whole new
-- row into JSON to read that one column (the check's report and fingerprint with it) and looked for
-- a finding of that id too, about 60 µs a row on the push, where a check's patrol is always a
-- patrol. The rows it clears are the same.
CREATE FUNCTION patrol_checks_ledger_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE patrols SET ledger_row = NULL WHERE id = OLD.patrol AND ledger_row IS NOT NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE patrols SET ledger_row = NULL WHERE id = NEW.patrol AND ledger_row IS NOT NULL;
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER patrol_checks_ledger_row ON patrol_checks;
CREATE TRIGGER patrol_checks_ledger_row AFTER INSERT OR UPDATE OF patrol, counts, explanation OR DELETE ON patrol_checks
    FOR EACH ROW EXECUTE FUNCTION patrol_checks_ledger_row();
