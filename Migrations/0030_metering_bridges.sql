-- BR-1, MT-4, MT-7: what the device bridges report, and what the portal needs to hand each
-- bridge the registered meters' last sequences.

-- The highest sequence stored from each meter, whatever the kind of message, so that a bridge
-- started again refuses replays of what was stored before it started.
ALTER TABLE meter_health ADD COLUMN last_sequence bigint NOT NULL DEFAULT 0 CHECK (last_sequence >= 0);

-- Each bridge's latest report (the ops page): one row per bridge name.
CREATE TABLE bridges (
    name         text        PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$'),
    started_at   timestamptz NOT NULL,
    connected    integer     NOT NULL CHECK (connected >= 0),
    verified     bigint      NOT NULL CHECK (verified >= 0),
    refused      jsonb       NOT NULL DEFAULT '{}',
    backlog      integer     NOT NULL CHECK (backlog >= 0),
    reported_at  timestamptz NOT NULL
);

-- Bridge messages by when the meter sent them: the ops page's latest, a day's first reading.
CREATE INDEX readings_raw_bridge_idx ON readings_raw (read_at DESC) WHERE source = 'bridge';
