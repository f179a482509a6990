-- An officer's patrols that overlap a new one are those ending at or after its start and starting
-- at or before its end. On the (officer, ended_at) index alone the second bound is not a range, so
-- a late upload (a patrol months back) walked every later patrol of the officer (the load bench's
-- storm: 69 % of the writer's time). A patrol lasting at most a day ends at most a day after the new
-- one's end, which bounds the range; the rare longer ones are kept in this partial index and looked
-- up apart (server/src/store/checks/plausibility.rs, LONG_PATROL_MS: the same 86,400,000 ms).

CREATE INDEX patrol_checks_long_by_officer_end ON patrol_checks (officer, ended_at) WHERE ended_at - started_at > 86400000;
