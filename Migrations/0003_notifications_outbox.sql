-- Notifications (NT-1): a transactional outbox. A row is written in the same transaction as the
-- event that causes it; the delivery worker sends it. A crash after sending and before marking
-- may send again, but the recipient is fixed in the row, so it can never go to someone else.
CREATE TABLE notifications (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel         text        NOT NULL CHECK (channel IN ('sms', 'email')),
    recipient       text        NOT NULL CHECK (length(recipient) BETWEEN 3 AND 320),
    subject         text        CHECK (subject IS NULL OR channel = 'email'),
    body            text        NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    purpose         text        NOT NULL CHECK (purpose ~ '^[a-z][a-z_]{1,62}$'),
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    provider        text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    CHECK ((status = 'sent') = (sent_at IS NOT NULL AND provider IS NOT NULL))
);

-- The worker's question: what is due?
CREATE INDEX notifications_due_idx ON notifications (next_attempt_at) WHERE status IN ('pending', 'sending');
-- The development inbox lists the newest first.
CREATE INDEX notifications_created_idx ON notifications (created_at DESC);
