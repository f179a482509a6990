-- Each patrol's finished ledger row (its JSON, `sync_protocol::ledger::LedgerRow`) kept in the read
-- model, so that a ledger reads and joins rows instead of building each one again. NULL while the
-- row is to be written: a new patrol, or one whose entry, place, check, flags, findings' verdicts
-- or cases changed; the triggers below clear it in the transaction that changes any of these, and
-- the writer writes every cleared row again before that transaction commits
-- (`server::store::read_model::kept`). A reader meeting a NULL row (a store migrated and not yet
-- filled) builds it as before.
ALTER TABLE patrols ADD COLUMN ledger_row TEXT;
CREATE INDEX patrols_ledger_row_due ON patrols (id) WHERE ledger_row IS NULL AND entry IS NOT NULL;

CREATE TRIGGER ledger_row_patrol AFTER UPDATE OF entry, village, township ON patrols
WHEN new.ledger_row IS NOT NULL
    AND (old.entry IS NOT new.entry OR old.village IS NOT new.village OR old.township IS NOT new.township)
BEGIN
    UPDATE patrols SET ledger_row = NULL WHERE id = new.id;
END;

-- The patrol's check (its quota decision).
CREATE TRIGGER ledger_row_check_add AFTER INSERT ON patrol_checks
BEGIN
    UPDATE patrols SET ledger_row = NULL WHERE id = new.patrol AND ledger_row IS NOT NULL;
END;
CREATE TRIGGER ledger_row_check_change AFTER UPDATE OF patrol, counts, explanation ON patrol_checks
BEGIN
    UPDATE patrols SET ledger_row = NULL WHERE id IN (old.patrol, new.patrol) AND ledger_row IS NOT NULL;
END;
CREATE TRIGGER ledger_row_check_remove AFTER DELETE ON patrol_checks
BEGIN
    UPDATE patrols SET ledger_row = NULL WHERE id = old.patrol AND ledger_row IS NOT NULL;
END;

-- Flags on the patrol or on one of its findings.
CREATE TRIGGER ledger_row_flag_add AFTER INSERT ON flags
WHEN new.event_id IS NOT NULL
BEGIN
    UPDATE patrols SET ledger_row = NULL WHERE id = new.event_id AND ledger_row IS NOT NULL;
    UPDATE patrols SET ledger_row = NULL
    WHERE id IN (SELECT patrol FROM report_findings WHERE id = new.event_id) AND ledger_row IS NOT NULL;
END;
CREATE TRIGGER ledger_row_flag_change AFTER UPDATE OF event_id, kind, cleared_at ON flags
BEGIN
    UPDATE patrols SET ledger_row = NULL WHERE id IN (old.event_id, new.event_id) AND ledger_row IS NOT NULL;
    UPDATE patrols SET ledger_row = NULL
    WHERE id IN (SELECT patrol FROM report_findings WHERE id IN (old.event_id, new.event_id)) AND ledger_row IS NOT NULL;
END;
CREATE TRIGGER ledger_row_flag_remove AFTER DELETE ON flags
WHEN old.event_id IS NOT NULL
BEGIN
    UPDATE patrols SET ledger_row = NULL WHERE id = old.event_id AND ledger_row IS NOT NULL;
    UPDATE patrols SET ledger_row = NULL
    WHERE id IN (SELECT patrol FROM report_findings WHERE id = old.event_id) AND ledger_row IS NOT NULL;
END;

-- A finding's licence verdict.
CREATE TRIGGER ledger_row_verdict_add AFTER INSERT ON finding_checks
BEGIN
    UPDATE patrols SET ledger_row = NULL
    WHERE id IN (SELECT patrol FROM report_findings WHERE id = new.finding) AND ledger_row IS NOT NULL;
END;
CREATE TRIGGER ledger_row_verdict_change AFTER UPDATE OF finding, verdict ON finding_checks
BEGIN
    UPDATE patrols SET ledger_row = NULL
    WHERE id IN (SELECT patrol FROM report_findings WHERE id IN (old.finding, new.finding)) AND ledger_row IS NOT NULL;
END;
CREATE TRIGGER ledger_row_verdict_remove AFTER DELETE ON finding_checks
BEGIN
    UPDATE patrols SET ledger_row = NULL
    WHERE id IN (SELECT patrol FROM report_findings WHERE id = old.finding) AND ledger_row IS NOT NULL;
END;

-- The cases opened on its findings.
CREATE TRIGGER ledger_row_case_add AFTER INSERT ON report_cases
BEGIN
    UPDATE patrols SET ledger_row = NULL
    WHERE id IN (SELECT patrol FROM report_findings WHERE id = new.source) AND ledger_row IS NOT NULL;
END;
CREATE TRIGGER ledger_row_case_change AFTER UPDATE OF source, state ON report_cases
BEGIN
    UPDATE patrols SET ledger_row = NULL
    WHERE id IN (SELECT patrol FROM report_findings WHERE id IN (old.source, new.source)) AND ledger_row IS NOT NULL;
END;
CREATE TRIGGER ledger_row_case_remove AFTER DELETE ON report_cases
BEGIN
    UPDATE patrols SET ledger_row = NULL
    WHERE id IN (SELECT patrol FROM report_findings WHERE id = old.source) AND ledger_row IS NOT NULL;
END;

-- A finding placed on a patrol (its flags, verdict and cases are found through this row).
CREATE TRIGGER ledger_row_finding_add AFTER INSERT ON report_findings
BEGIN
    UPDATE patrols SET ledger_row = NULL WHERE id = new.patrol AND ledger_row IS NOT NULL;
END;
CREATE TRIGGER ledger_row_finding_change AFTER UPDATE OF patrol ON report_findings
BEGIN
    UPDATE patrols SET ledger_row = NULL WHERE id IN (old.patrol, new.patrol) AND ledger_row IS NOT NULL;
END;
CREATE TRIGGER ledger_row_finding_remove AFTER DELETE ON report_findings
BEGIN
    UPDATE patrols SET ledger_row = NULL WHERE id = old.patrol AND ledger_row IS NOT NULL;
END;
