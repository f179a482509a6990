-- The counterpart of the SQLite set's 0015_one_current_row: one table of zero reports
-- (`zero_reports`, which the read model keeps and rebuilds; compliance reads a week's officers
-- through the new index), and `zones` read from the zone versions the read model keeps (the
-- latest `valid_from`, sync_protocol::zones) instead of being kept apart.
DROP TABLE report_zero_reports;
CREATE INDEX zero_reports_by_week ON zero_reports (week, officer);

DROP TABLE zones;
CREATE VIEW zones (id, village, township) AS
SELECT v.zone, v.village, v.township FROM zone_versions v
WHERE v.valid_from = (SELECT max(w.valid_from) FROM zone_versions w WHERE w.zone = v.zone);
