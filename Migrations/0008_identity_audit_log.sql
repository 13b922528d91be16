-- Audit trail (ID-11): who did what, when, from where. Append-only whoever the database user is:
-- UPDATE, DELETE and TRUNCATE are refused by triggers. The user id is kept without a foreign key
-- so that history stays when a login is removed.
CREATE TABLE audit_log (
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at             timestamptz NOT NULL DEFAULT now(),
    user_id        bigint,
    action         text        NOT NULL CHECK (action ~ '^[a-z][a-z_]*\.[a-z_]+$'),
    client_address text        CHECK (length(client_address) <= 45),
    details        jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(details) = 'object')
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);
CREATE INDEX audit_log_user_idx ON audit_log (user_id, at DESC) WHERE user_id IS NOT NULL;
CREATE INDEX audit_log_action_idx ON audit_log (action, at DESC);

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION forbid_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();
