-- A patrol's check clears its kept ledger row by reading its own `patrol` column, as a finding's
-- row already did: the shared `ledger_row_changed` of migration 0012 turned the whole new row into
-- JSON to read that one column (the check's report and fingerprint with it) and looked for a
-- finding of that id too, about 60 µs a row on the push, where a check's patrol is always a
-- patrol. Both tables' triggers now run one function (`report_findings_ledger_row` of 0012 under
-- a name that says so). The rows they clear are the same.
ALTER FUNCTION report_findings_ledger_row() RENAME TO patrol_column_ledger_row;
DROP TRIGGER patrol_checks_ledger_row ON patrol_checks;
CREATE TRIGGER patrol_checks_ledger_row AFTER INSERT OR UPDATE OF patrol, counts, explanation OR DELETE ON patrol_checks
    FOR EACH ROW EXECUTE FUNCTION patrol_column_ledger_row();
