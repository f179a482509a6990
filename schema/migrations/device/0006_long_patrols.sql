-- A patrol's overlap check reads the officer's patrols that meet its span (issue 12: a linear
-- phone). Those lasting at most a day end within a day of its end, a bounded range of
-- `patrol_index_by_officer`; the longer ones, rare, are read from this index of their own. On the
-- end time alone a check of an early patrol read every later patrol of the officer.
CREATE INDEX patrol_index_long_by_officer ON patrol_index (owner, officer, ended_at) WHERE ended_at - started_at > 86400000;
