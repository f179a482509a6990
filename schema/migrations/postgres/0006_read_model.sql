-- The reports' read model (sync_protocol::read_model; docs/architecture.md, "Read model"): rows the
-- writer keeps current in the transaction that accepts each event, so that a report reads in
-- proportion to its answer instead of folding the whole log.

-- Every version of every zone: where something done in it at a time lies (sync_protocol::zones).
CREATE TABLE zone_versions (
    zone       text NOT NULL,
    valid_from bigint NOT NULL,
    village    text NOT NULL,
    township   text NOT NULL,
    PRIMARY KEY (zone, valid_from)
);

-- Which events belong to a group not keyed by their own id: a patrol's amendments, findings and
-- attachments, a finding's attachments, a case's steps, a tip's assignments and answer.
CREATE TABLE report_filed (
    entity     bytea NOT NULL,
    server_seq bigint NOT NULL,
    PRIMARY KEY (entity, server_seq)
);

CREATE TABLE report_findings (
    id              bytea PRIMARY KEY,
    patrol          bytea NOT NULL,
    officer         text NOT NULL,
    zone            text NOT NULL,
    township        text,
    observed_at     bigint NOT NULL,
    stopped_on_spot boolean NOT NULL
);
CREATE INDEX report_findings_by_time ON report_findings (observed_at);
CREATE INDEX report_findings_by_township ON report_findings (township, observed_at);

-- Each case as folded from its steps (sync_protocol::fold::Case as JSON).
CREATE TABLE report_cases (
    id         bytea PRIMARY KEY,
    source     bytea NOT NULL,
    township   text NOT NULL,
    closed     boolean NOT NULL,
    opened_at  bigint NOT NULL,
    stopped_at bigint,
    state      text NOT NULL
);
CREATE INDEX report_cases_by_source ON report_cases (source);
CREATE INDEX report_cases_open ON report_cases (township) WHERE NOT closed;

-- Each tip (sync_protocol::fold::Tip as JSON, its cases left out: they are the cases by source).
CREATE TABLE report_tips (
    id       bytea PRIMARY KEY,
    township text NOT NULL,
    open     boolean NOT NULL,
    state    text NOT NULL
);
CREATE INDEX report_tips_open ON report_tips (township) WHERE open;

CREATE TABLE report_zero_reports (
    week    text NOT NULL,
    officer text NOT NULL,
    PRIMARY KEY (week, officer)
);
