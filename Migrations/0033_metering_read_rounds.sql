-- BR-2: each read-all the portal asked of its bridges, and what came back: from the ops page, or
-- before a bill run drafts.
CREATE TABLE read_rounds (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at   timestamptz NOT NULL,
    milliseconds integer     NOT NULL CHECK (milliseconds >= 0),
    bridges      integer     NOT NULL CHECK (bridges >= 0),
    -- Bridges that did not answer the portal.
    unreachable  integer     NOT NULL CHECK (unreachable >= 0),
    asked        integer     NOT NULL CHECK (asked >= 0),
    answered     integer     NOT NULL CHECK (answered BETWEEN 0 AND asked),
    -- Serials of the meters that did not answer in time (the first thousand).
    missing      text[]      NOT NULL DEFAULT '{}',
    requested_by bigint      REFERENCES users (id),
    bill_run_id  bigint      REFERENCES bill_runs (id)
);
CREATE INDEX read_rounds_latest_idx ON read_rounds (started_at DESC);
CREATE INDEX read_rounds_bill_run_idx ON read_rounds (bill_run_id) WHERE bill_run_id IS NOT NULL;
