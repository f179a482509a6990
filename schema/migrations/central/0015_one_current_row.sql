-- One table of zero reports: `zero_reports` (the report, its device, officer, week and zone), which
-- the read model keeps as it accepts each `zero_report.filed` and rebuilds from the log, and which
-- the compliance report and the zero-report check both read. The read model's copy of its
-- (week, officer) pairs goes; compliance reads a week's officers through the new index.
DROP TABLE report_zero_reports;
CREATE INDEX zero_reports_by_week ON zero_reports (week, officer);

-- One current version of a zone (sync_protocol::zones: the latest `valid_from`; of two that start
-- together, the later applied, which `zone_versions` keeps in its one row per start): `zones` is
-- read from the versions the read model keeps instead of being kept apart in the order definitions
-- arrived, so routing, flags' places and assignments read the version the reports place by.
DROP TABLE zones;
CREATE VIEW zones (id, village, township) AS
SELECT v.zone, v.village, v.township FROM zone_versions v
WHERE v.valid_from = (SELECT max(w.valid_from) FROM zone_versions w WHERE w.zone = v.zone);
