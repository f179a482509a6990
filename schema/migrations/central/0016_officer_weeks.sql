-- Compliance's kept counts (issue 12: each report costs in proportion to its answer): per ISO week
-- (county time) and officer, the patrols of the read model (their entry set) started in that week,
-- how many of them the checks say count and how many are not checked yet. A week's compliance
-- reads one row per officer instead of every patrol of the week.
--
-- Triggers keep the counts in the transaction that changes a patrol's row or its check, whichever
-- writer changes it (the read model, the checks at ingest, a re-check), so that no writer can
-- forget them. A patrol's week is the read model's (`IsoWeek` of its start), written beside its
-- start; the read model's version goes up with this migration, so a store made before it is
-- rebuilt on open and gets its weeks and counts then.
ALTER TABLE patrols ADD COLUMN week TEXT;

CREATE TABLE report_officer_weeks (
    week      TEXT NOT NULL,
    officer   TEXT NOT NULL,
    patrols   INTEGER NOT NULL,
    counting  INTEGER NOT NULL,
    unchecked INTEGER NOT NULL,
    PRIMARY KEY (week, officer)
) STRICT, WITHOUT ROWID;

-- A patrol that enters the read model adds itself to its officer's week. (Its row is made with
-- NOT EXISTS, not INSERT OR IGNORE: a trigger's conflict clause yields to that of the statement
-- that fired it, and `put_patrol`'s upsert would make it an error.)
CREATE TRIGGER patrols_tally_add AFTER INSERT ON patrols
WHEN new.entry IS NOT NULL AND new.week IS NOT NULL
BEGIN
    INSERT INTO report_officer_weeks SELECT new.week, new.author, 0, 0, 0
    WHERE NOT EXISTS (SELECT 1 FROM report_officer_weeks WHERE week = new.week AND officer = new.author);
    UPDATE report_officer_weeks
    SET patrols = patrols + 1,
        counting = counting + coalesce((SELECT counts <> 0 FROM patrol_checks WHERE patrol = new.id), 0),
        unchecked = unchecked + NOT EXISTS (SELECT 1 FROM patrol_checks WHERE patrol = new.id)
    WHERE week = new.week AND officer = new.author;
END;

-- A patrol whose officer or week changes, or that leaves or enters the read model (a rebuild
-- empties its entry), moves between weeks; an amendment that changes neither moves nothing.
CREATE TRIGGER patrols_tally_leave AFTER UPDATE OF author, week, entry ON patrols
WHEN old.entry IS NOT NULL AND old.week IS NOT NULL
    AND NOT (new.entry IS NOT NULL AND new.author = old.author AND new.week IS old.week)
BEGIN
    UPDATE report_officer_weeks
    SET patrols = patrols - 1,
        counting = counting - coalesce((SELECT counts <> 0 FROM patrol_checks WHERE patrol = old.id), 0),
        unchecked = unchecked - NOT EXISTS (SELECT 1 FROM patrol_checks WHERE patrol = old.id)
    WHERE week = old.week AND officer = old.author;
    DELETE FROM report_officer_weeks WHERE week = old.week AND officer = old.author AND patrols = 0;
END;

CREATE TRIGGER patrols_tally_enter AFTER UPDATE OF author, week, entry ON patrols
WHEN new.entry IS NOT NULL AND new.week IS NOT NULL
    AND NOT (old.entry IS NOT NULL AND new.author = old.author AND new.week IS old.week)
BEGIN
    INSERT INTO report_officer_weeks SELECT new.week, new.author, 0, 0, 0
    WHERE NOT EXISTS (SELECT 1 FROM report_officer_weeks WHERE week = new.week AND officer = new.author);
    UPDATE report_officer_weeks
    SET patrols = patrols + 1,
        counting = counting + coalesce((SELECT counts <> 0 FROM patrol_checks WHERE patrol = new.id), 0),
        unchecked = unchecked + NOT EXISTS (SELECT 1 FROM patrol_checks WHERE patrol = new.id)
    WHERE week = new.week AND officer = new.author;
END;

CREATE TRIGGER patrols_tally_remove AFTER DELETE ON patrols
WHEN old.entry IS NOT NULL AND old.week IS NOT NULL
BEGIN
    UPDATE report_officer_weeks
    SET patrols = patrols - 1,
        counting = counting - coalesce((SELECT counts <> 0 FROM patrol_checks WHERE patrol = old.id), 0),
        unchecked = unchecked - NOT EXISTS (SELECT 1 FROM patrol_checks WHERE patrol = old.id)
    WHERE week = old.week AND officer = old.author;
    DELETE FROM report_officer_weeks WHERE week = old.week AND officer = old.author AND patrols = 0;
END;

-- A check stored, changed or removed changes its patrol's counts, when the patrol is in the read
-- model (a check stored before the patrol's row is counted when the row comes).
CREATE TRIGGER patrol_checks_tally_add AFTER INSERT ON patrol_checks
BEGIN
    UPDATE report_officer_weeks
    SET counting = counting + (new.counts <> 0), unchecked = unchecked - 1
    WHERE week = (SELECT week FROM patrols WHERE id = new.patrol AND entry IS NOT NULL)
        AND officer = (SELECT author FROM patrols WHERE id = new.patrol AND entry IS NOT NULL);
END;

CREATE TRIGGER patrol_checks_tally_change AFTER UPDATE OF patrol, counts ON patrol_checks
WHEN old.patrol IS NOT new.patrol OR old.counts IS NOT new.counts
BEGIN
    UPDATE report_officer_weeks
    SET counting = counting - (old.counts <> 0), unchecked = unchecked + 1
    WHERE week = (SELECT week FROM patrols WHERE id = old.patrol AND entry IS NOT NULL)
        AND officer = (SELECT author FROM patrols WHERE id = old.patrol AND entry IS NOT NULL);
    UPDATE report_officer_weeks
    SET counting = counting + (new.counts <> 0), unchecked = unchecked - 1
    WHERE week = (SELECT week FROM patrols WHERE id = new.patrol AND entry IS NOT NULL)
        AND officer = (SELECT author FROM patrols WHERE id = new.patrol AND entry IS NOT NULL);
END;

CREATE TRIGGER patrol_checks_tally_remove AFTER DELETE ON patrol_checks
BEGIN
    UPDATE report_officer_weeks
    SET counting = counting - (old.counts <> 0), unchecked = unchecked + 1
    WHERE week = (SELECT week FROM patrols WHERE id = old.patrol AND entry IS NOT NULL)
        AND officer = (SELECT author FROM patrols WHERE id = old.patrol AND entry IS NOT NULL);
END;

