-- BL-7: a consumer disputes a bill. While a dispute is open the bill is marked disputed (no late
-- fee, not on the defaulters list). Finance rejects it with a reason, or resolves it with a credit
-- note (and, where needed, a new bill for the month); both sides see each step.
CREATE TABLE disputes (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bill_id          bigint      NOT NULL REFERENCES bills (id),
    account_id       bigint      NOT NULL REFERENCES accounts (id),
    raised_by        bigint      NOT NULL REFERENCES users (id),
    reason           text        NOT NULL CHECK (length(reason) BETWEEN 10 AND 1000),
    -- What the consumer reads on the meter, if they gave it.
    reported_reading bigint      CHECK (reported_reading >= 0),
    status           text        NOT NULL CHECK (status IN ('open', 'rejected', 'resolved')),
    opened_at        timestamptz NOT NULL,
    decided_by       bigint      REFERENCES users (id),
    decided_at       timestamptz,
    decision         text        CHECK (length(decision) BETWEEN 5 AND 500),
    credit_note_id   bigint      REFERENCES credit_notes (id),
    CHECK ((status = 'open') = (decided_at IS NULL)),
    CHECK ((decided_at IS NULL) = (decided_by IS NULL)),
    CHECK ((decided_at IS NULL) = (decision IS NULL)),
    CHECK ((status = 'resolved') = (credit_note_id IS NOT NULL))
);
-- One open dispute per bill; finance's queue is the open ones, oldest first.
CREATE UNIQUE INDEX disputes_open_key ON disputes (bill_id) WHERE status = 'open';
CREATE INDEX disputes_queue_idx ON disputes (opened_at, id) WHERE status = 'open';
CREATE INDEX disputes_bill_idx ON disputes (bill_id, opened_at);
