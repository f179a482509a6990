-- The reports' read model (sync_protocol::read_model; docs/architecture.md, "Read model"): rows the
-- writer keeps current in the transaction that accepts each event, so that a report reads in
-- proportion to its answer instead of folding the whole log. A store made before this migration
-- gets them from the rebuild the server runs on open (meta 'read_model' is missing until then).

-- Each patrol's ledger entry (sync_protocol::ledger::PatrolEntry as JSON), its start and where its
-- zone lay then. NULL until the rebuild for patrols stored before this migration.
ALTER TABLE patrols ADD COLUMN started_at INTEGER;
ALTER TABLE patrols ADD COLUMN village TEXT;
ALTER TABLE patrols ADD COLUMN township TEXT;
ALTER TABLE patrols ADD COLUMN entry TEXT;
CREATE INDEX patrols_by_start ON patrols (started_at);
CREATE INDEX patrols_by_township ON patrols (township, started_at);
CREATE INDEX patrols_by_author ON patrols (author, started_at);

-- Every version of every zone: where something done in it at a time lies (sync_protocol::zones).
CREATE TABLE zone_versions (
    zone       TEXT NOT NULL,
    valid_from INTEGER NOT NULL,
    village    TEXT NOT NULL,
    township   TEXT NOT NULL,
    PRIMARY KEY (zone, valid_from)
) STRICT, WITHOUT ROWID;

-- Which events belong to a group not keyed by their own id: a patrol's amendments, findings and
-- attachments, a finding's attachments, a case's steps, a tip's assignments and answer.
CREATE TABLE report_filed (
    entity     BLOB NOT NULL,
    server_seq INTEGER NOT NULL,
    PRIMARY KEY (entity, server_seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE report_findings (
    id              BLOB PRIMARY KEY,
    patrol          BLOB NOT NULL,
    officer         TEXT NOT NULL,
    zone            TEXT NOT NULL,
    township        TEXT,
    observed_at     INTEGER NOT NULL,
    stopped_on_spot INTEGER NOT NULL
) STRICT;
CREATE INDEX report_findings_by_time ON report_findings (observed_at);
CREATE INDEX report_findings_by_township ON report_findings (township, observed_at);

-- Each case as folded from its steps (sync_protocol::fold::Case as JSON).
CREATE TABLE report_cases (
    id         BLOB PRIMARY KEY,
    source     BLOB NOT NULL,
    township   TEXT NOT NULL,
    closed     INTEGER NOT NULL,
    opened_at  INTEGER NOT NULL,
    stopped_at INTEGER,
    state      TEXT NOT NULL
) STRICT;
CREATE INDEX report_cases_by_source ON report_cases (source);
CREATE INDEX report_cases_open ON report_cases (township) WHERE closed = 0;

-- Each tip (sync_protocol::fold::Tip as JSON, its cases left out: they are the cases by source).
CREATE TABLE report_tips (
    id       BLOB PRIMARY KEY,
    township TEXT NOT NULL,
    open     INTEGER NOT NULL,
    state    TEXT NOT NULL
) STRICT;
CREATE INDEX report_tips_open ON report_tips (township) WHERE open = 1;

CREATE TABLE report_zero_reports (
    week    TEXT NOT NULL,
    officer TEXT NOT NULL,
    PRIMARY KEY (week, officer)
) STRICT, WITHOUT ROWID;

-- Compliance counts the open flags of a week per officer.
CREATE INDEX flags_open_by_week ON flags (week, officer) WHERE cleared_at IS NULL;
