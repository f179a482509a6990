-- Reports that cost in proportion to their answer (issue 12); central migration 0019.
--
-- The partial indexes of open cases and tips (0006) already say `NOT closed` and `open`, the
-- conditions the shared queries write. The townships that have any case or tip (compliance lists
-- them) are found one township at a time by a seek each rather than by reading every case and tip.
CREATE INDEX report_cases_by_township ON report_cases (township, id);
CREATE INDEX report_tips_by_township ON report_tips (township);

