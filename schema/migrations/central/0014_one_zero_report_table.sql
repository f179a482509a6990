-- One table of zero reports: `zero_reports` (the report, its device, officer, week and zone), which
-- the read model keeps as it accepts each `zero_report.filed` and rebuilds from the log, and which
-- the compliance report and the zero-report check both read. The read model's copy of its
-- (week, officer) pairs goes; compliance reads a week's officers through the new index.
DROP TABLE report_zero_reports;
CREATE INDEX zero_reports_by_week ON zero_reports (week, officer);
