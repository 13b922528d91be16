-- BR-3: commands to meters (load a prepaid token, open or close the relay, diagnostics), kept
-- until the meter answers; and where the portal reaches each bridge.

ALTER TABLE bridges ADD COLUMN url text CHECK (url ~ '^https?://[^[:space:]]{1,200}$');

CREATE TABLE meter_commands (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meter_id    bigint      NOT NULL REFERENCES meters (id),
    kind        text        NOT NULL CHECK (kind IN ('token', 'relay_on', 'relay_off', 'diagnostics')),
    -- What the command carries: a token's 20 digits.
    payload     text        CHECK (payload ~ '^[0-9]{20}$'),
    created_at  timestamptz NOT NULL,
    created_by  bigint      REFERENCES users (id),
    -- Passed to a bridge that had the meter connected: the last time, and how often.
    sent_at     timestamptz,
    attempts    integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- The meter's signed answer.
    answered_at timestamptz,
    ok          boolean,
    answer      text        CHECK (length(answer) <= 200),
    CHECK ((kind = 'token') = (payload IS NOT NULL)),
    CHECK ((answered_at IS NULL) = (ok IS NULL))
);
-- The delivery pass reads the unanswered ones; a meter's page its latest.
CREATE INDEX meter_commands_open_idx ON meter_commands (id) WHERE answered_at IS NULL;
CREATE INDEX meter_commands_meter_idx ON meter_commands (meter_id, id DESC);
