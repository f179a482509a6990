-- The tamper-evident log: every event, quarantined push and blob the server stores is a leaf of
-- an RFC 6962 Merkle tree (sync_protocol::merkle::LogLeaf), appended in the transaction that
-- stores the row; signed checkpoints (size, root) are kept as they are made.

CREATE TABLE merkle_leaves (
    idx    bigint PRIMARY KEY,
    kind   text NOT NULL CHECK (kind IN ('event', 'quarantine', 'blob')),
    row_id bigint,                               -- events.server_seq or quarantine.id
    blob   text,                                 -- blobs.sha256
    hash   bytea NOT NULL CHECK (length(hash) = 32),
    CHECK ((kind = 'blob') = (blob IS NOT NULL) AND (kind = 'blob') = (row_id IS NULL))
);

CREATE TABLE merkle_checkpoints (
    size      bigint PRIMARY KEY,
    origin    text NOT NULL,
    root      bytea NOT NULL CHECK (length(root) = 32),
    kid       bytea NOT NULL CHECK (length(kid) = 4),
    signature bytea NOT NULL CHECK (length(signature) = 64),
    made_at   bigint NOT NULL
);

-- Evidence is append-only: the same tables as on SQLite refuse UPDATE and DELETE, and here also
-- TRUNCATE (which row triggers do not see), with the same message. The triggers are per
-- statement, so even a statement that would touch no row is refused. Rewriting history needs the
-- triggers dropped or disabled first, which `audit verify` then finds against the checkpoints; a
-- role that owns the tables (or a superuser) can do that, so the server's role should not.
CREATE FUNCTION refuse_evidence_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only evidence: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END
$$;

CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_evidence_change();
CREATE TRIGGER quarantine_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON quarantine
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_evidence_change();
CREATE TRIGGER attachments_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON attachments
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_evidence_change();
CREATE TRIGGER blobs_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON blobs
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_evidence_change();
CREATE TRIGGER blob_holders_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON blob_holders
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_evidence_change();
CREATE TRIGGER merkle_leaves_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON merkle_leaves
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_evidence_change();
CREATE TRIGGER merkle_checkpoints_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON merkle_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_evidence_change();
