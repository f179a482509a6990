-- Flag reviews (flag.reviewed): a reviewed flag leaves the open list and stays in the history,
-- with the review (verdict, reviewer, note, the review event) beside it.

ALTER TABLE flags ADD COLUMN reviewed_at INTEGER;
ALTER TABLE flags ADD COLUMN review TEXT;
