-- BL-5: payments. Money is taken only from a verified gateway callback (online) or from a payment
-- finance recorded and a second finance user verified (office, bank transfer). A credited payment
-- has a gapless receipt number (through bill_number_series) and exactly one ledger entry; a
-- reversal (chargeback) has one more.
CREATE TABLE payments (
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id     bigint      NOT NULL REFERENCES accounts (id),
    amount         bigint      NOT NULL CHECK (amount > 0),
    method         text        NOT NULL CHECK (method IN ('online', 'office', 'bank_transfer')),
    status         text        NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'reversed', 'awaiting_verification', 'rejected')),
    -- Online: which gateway, and its name for the checkout.
    gateway        text        CHECK (gateway ~ '^[a-z]{2,20}$'),
    checkout_id    text        CHECK (length(checkout_id) BETWEEN 1 AND 200),
    -- Office and bank transfer: the receipt book or bank reference finance typed.
    reference      text        CHECK (length(reference) BETWEEN 1 AND 100),
    receipt_number text        UNIQUE CHECK (receipt_number ~ '^[A-Z]{2,6}-[0-9]{4}-[0-9]{6,9}$'),
    -- The consumer who paid online, or the finance user who recorded the payment.
    created_by     bigint      NOT NULL REFERENCES users (id),
    created_at     timestamptz NOT NULL,
    verified_by    bigint      REFERENCES users (id),
    credited_at    timestamptz,
    reversed_at    timestamptz,
    -- Why the gateway declined it, or why finance rejected it.
    failure        text        CHECK (length(failure) BETWEEN 1 AND 500),
    CHECK ((method = 'online') = (gateway IS NOT NULL)),
    CHECK (method = 'online' OR reference IS NOT NULL),
    CHECK (status NOT IN ('pending', 'failed', 'reversed') OR method = 'online'),
    CHECK (status NOT IN ('awaiting_verification', 'rejected') OR method <> 'online'),
    -- Four eyes: whoever recorded an office payment cannot verify it.
    CHECK (verified_by IS NULL OR verified_by <> created_by),
    CHECK (method = 'online' OR status NOT IN ('succeeded', 'reversed') OR verified_by IS NOT NULL),
    CHECK ((receipt_number IS NULL) = (credited_at IS NULL)),
    CHECK ((status IN ('succeeded', 'reversed')) = (credited_at IS NOT NULL)),
    CHECK ((status = 'reversed') = (reversed_at IS NOT NULL))
);
CREATE UNIQUE INDEX payments_checkout_key ON payments (gateway, checkout_id);
CREATE INDEX payments_account_idx ON payments (account_id, created_at DESC);
CREATE INDEX payments_awaiting_idx ON payments (created_at) WHERE status = 'awaiting_verification';

-- Each gateway event is stored once by its id, whatever number of times it is delivered.
CREATE TABLE payment_events (
    gateway     text        NOT NULL,
    event_id    text        NOT NULL CHECK (length(event_id) BETWEEN 1 AND 200),
    type        text        NOT NULL CHECK (length(type) BETWEEN 1 AND 100),
    payment_id  bigint      NOT NULL REFERENCES payments (id),
    received_at timestamptz NOT NULL,
    body        text        NOT NULL,
    PRIMARY KEY (gateway, event_id)
);
CREATE INDEX payment_events_payment_idx ON payment_events (payment_id);

-- What a payment settled when it was credited, oldest bills first: the receipt's lines. Whether
-- a bill is still open is worked out from the balance (a reversal reopens bills by raising it).
CREATE TABLE payment_allocations (
    payment_id bigint NOT NULL REFERENCES payments (id),
    bill_id    bigint NOT NULL REFERENCES bills (id),
    amount     bigint NOT NULL CHECK (amount > 0),
    PRIMARY KEY (payment_id, bill_id)
);
CREATE TRIGGER payment_allocations_append_only BEFORE UPDATE OR DELETE ON payment_allocations
    FOR EACH ROW EXECUTE FUNCTION forbid_change();

ALTER TABLE ledger_entries ADD COLUMN payment_id bigint REFERENCES payments (id);
ALTER TABLE ledger_entries ADD CHECK (kind <> 'payment' OR payment_id IS NOT NULL);
-- One entry when a payment counts, one more if it is reversed.
CREATE UNIQUE INDEX ledger_entries_payment_key ON ledger_entries (payment_id) WHERE kind = 'payment';
CREATE UNIQUE INDEX ledger_entries_payment_reversal_key ON ledger_entries (payment_id) WHERE kind = 'reversal' AND payment_id IS NOT NULL;

-- The sandbox gateway (development and tests): its hosted checkouts, and the webhooks it sends
-- back, signed, retried with backoff until delivered or three days have passed.
CREATE TABLE sandbox_checkouts (
    id          text        PRIMARY KEY CHECK (id ~ '^chk_[A-Za-z0-9_-]{16,64}$'),
    amount      bigint      NOT NULL CHECK (amount > 0),
    currency    text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    description text        NOT NULL CHECK (length(description) BETWEEN 1 AND 200),
    return_url  text        NOT NULL,
    webhook_url text        NOT NULL,
    status      text        NOT NULL CHECK (status IN ('open', 'pending', 'succeeded', 'declined', 'reversed')),
    card_last4  text        CHECK (card_last4 ~ '^[0-9]{4}$'),
    created_at  timestamptz NOT NULL,
    paid_at     timestamptz
);

CREATE TABLE sandbox_webhooks (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    checkout_id  text        NOT NULL REFERENCES sandbox_checkouts (id),
    event_id     text        NOT NULL UNIQUE,
    body         text        NOT NULL,
    url          text        NOT NULL,
    created_at   timestamptz NOT NULL,
    due_at       timestamptz NOT NULL,
    attempts     integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    delivered_at timestamptz,
    -- Given up after three days without a 2xx.
    abandoned_at timestamptz,
    last_error   text
);
CREATE INDEX sandbox_webhooks_due_idx ON sandbox_webhooks (due_at) WHERE delivered_at IS NULL AND abandoned_at IS NULL;
