-- MT-3, MT-4, MT-5, MT-6: readings as they arrived (raw, append-only evidence), the validated
-- readings derived from them (estimates and corrections are new rows), and the alerts raised.
CREATE TABLE readings_raw (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meter_id        bigint      NOT NULL REFERENCES meters (id),
    read_at         timestamptz NOT NULL,
    value           bigint      NOT NULL CHECK (value >= 0),
    source          text        NOT NULL CHECK (source IN ('manual', 'bridge', 'import')),
    submitted_by    bigint      REFERENCES users (id),
    -- A reader's form carries a key, so a second submit of the same form stores nothing new.
    idempotency_key text        UNIQUE CHECK (length(idempotency_key) BETWEEN 16 AND 64),
    -- The bridge's per-meter sequence number (BR-1): storage is idempotent on it.
    device_sequence bigint,
    note            text        CHECK (length(note) <= 500),
    payload         jsonb       NOT NULL DEFAULT '{}',
    received_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (meter_id, device_sequence)
);
CREATE INDEX readings_raw_meter_idx ON readings_raw (meter_id, read_at DESC);
CREATE TRIGGER readings_raw_append_only BEFORE UPDATE OR DELETE ON readings_raw
    FOR EACH ROW EXECUTE FUNCTION forbid_change();
CREATE TRIGGER readings_raw_no_truncate BEFORE TRUNCATE ON readings_raw
    FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();

CREATE TABLE readings (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    installation_id bigint      NOT NULL REFERENCES meter_installations (id),
    account_id      bigint      NOT NULL REFERENCES accounts (id),
    raw_id          bigint      REFERENCES readings_raw (id),
    read_on         date        NOT NULL,
    value           bigint      NOT NULL CHECK (value >= 0),
    -- Units used since the reading before, after rollover and the multiplier.
    consumption     bigint      NOT NULL CHECK (consumption >= 0),
    kind            text        NOT NULL CHECK (kind IN ('initial', 'actual', 'estimated', 'correction', 'final')),
    -- Stored but waiting for a person: for example far above the account's usual use.
    flag            text        CHECK (flag IN ('high_use', 'zero_use', 'reverse_flow', 'tamper')),
    corrects_id     bigint      UNIQUE REFERENCES readings (id),
    reason          text        CHECK (length(reason) BETWEEN 3 AND 500),
    created_by      bigint      REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'correction') = (corrects_id IS NOT NULL)),
    CHECK (kind <> 'correction' OR reason IS NOT NULL),
    CHECK (kind NOT IN ('actual', 'final') OR raw_id IS NOT NULL)
);
CREATE INDEX readings_installation_idx ON readings (installation_id, read_on DESC, id DESC);
CREATE INDEX readings_account_idx ON readings (account_id, read_on DESC);
CREATE INDEX readings_flagged_idx ON readings (created_at DESC) WHERE flag IS NOT NULL;

-- A reading that a correction replaced no longer counts; this view is what pages and bills use.
CREATE VIEW current_readings AS
    SELECT r.* FROM readings r WHERE NOT EXISTS (SELECT 1 FROM readings c WHERE c.corrects_id = r.id);

CREATE TABLE consumption_alerts (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id      bigint      NOT NULL REFERENCES accounts (id),
    reading_id      bigint      REFERENCES readings (id),
    kind            text        NOT NULL CHECK (kind IN ('zero_use', 'spike', 'reverse_flow', 'tamper')),
    detail          text        NOT NULL CHECK (length(detail) BETWEEN 1 AND 500),
    raised_at       timestamptz NOT NULL DEFAULT now(),
    acknowledged_at timestamptz,
    acknowledged_by bigint      REFERENCES users (id),
    CHECK ((acknowledged_at IS NULL) = (acknowledged_by IS NULL))
);
CREATE INDEX consumption_alerts_open_idx ON consumption_alerts (raised_at DESC) WHERE acknowledged_at IS NULL;
CREATE INDEX consumption_alerts_account_idx ON consumption_alerts (account_id, raised_at DESC);
