-- TK-1 … TK-3: complaints and service requests, with the regulator's service standards.

-- Each category's target time, in days, in towns and in villages, and what the utility owes the
-- consumer for each day a ticket runs past it (minor units). Support's administrator changes them.
CREATE TABLE ticket_standards (
    category             text    PRIMARY KEY
                                 CHECK (category IN ('billing', 'outage', 'meter_fault', 'new_connection', 'voltage', 'other')),
    urban_days           integer NOT NULL CHECK (urban_days BETWEEN 1 AND 365),
    rural_days           integer NOT NULL CHECK (rural_days BETWEEN 1 AND 365),
    compensation_per_day bigint  NOT NULL CHECK (compensation_per_day BETWEEN 0 AND 100000000)
);
INSERT INTO ticket_standards (category, urban_days, rural_days, compensation_per_day) VALUES
    ('billing', 7, 10, 5000),
    ('outage', 1, 2, 10000),
    ('meter_fault', 7, 15, 5000),
    ('new_connection', 7, 15, 10000),
    ('voltage', 2, 4, 5000),
    ('other', 15, 21, 0);

-- Areas (accounts.area) that count as rural for the service standards; every other is urban.
CREATE TABLE rural_areas (
    area text PRIMARY KEY CHECK (length(area) BETWEEN 1 AND 60)
);

CREATE TABLE tickets (
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number         text        NOT NULL UNIQUE CHECK (number ~ '^TK-[0-9]{4}-[0-9]{6,9}$'),
    account_id     bigint      NOT NULL REFERENCES accounts (id),
    -- The consumer who raised it and follows it; NULL when staff raised it, and then it is the
    -- account owner's (whoever that login is, now or once they register).
    consumer_id    bigint      REFERENCES users (id),
    opened_by      bigint      NOT NULL REFERENCES users (id),
    category       text        NOT NULL REFERENCES ticket_standards (category),
    subject        text        NOT NULL CHECK (length(subject) BETWEEN 5 AND 120),
    bill_id        bigint      REFERENCES bills (id),
    meter_id       bigint      REFERENCES meters (id),
    alert_id       bigint      UNIQUE REFERENCES consumption_alerts (id),
    status         text        NOT NULL CHECK (status IN ('open', 'in_progress', 'waiting', 'resolved', 'closed')),
    -- The account's area and whether it counts as rural, as they were when it was raised: the
    -- standard it is held to, and the queue's area filter.
    area           text        NOT NULL CHECK (length(area) BETWEEN 1 AND 60),
    rural          boolean     NOT NULL,
    assignee_id    bigint      REFERENCES users (id),
    opened_at      timestamptz NOT NULL,
    -- The service standard's clock: the target, the time used before `running_since`, and when
    -- it last started. It stops while waiting on the customer and once resolved.
    target_seconds bigint      NOT NULL CHECK (target_seconds > 0),
    -- What each day past the target earns the consumer, as the standard was when it was raised.
    compensation_per_day bigint NOT NULL CHECK (compensation_per_day >= 0),
    used_seconds   bigint      NOT NULL DEFAULT 0 CHECK (used_seconds >= 0),
    running_since  timestamptz,
    -- When the target is reached if the clock keeps running: the queue's order and its breaches.
    due_at         timestamptz,
    resolved_at    timestamptz,
    closed_at      timestamptz,
    escalated_at   timestamptz,
    merged_into    bigint      REFERENCES tickets (id),
    rating         smallint    CHECK (rating BETWEEN 1 AND 5),
    updated_at     timestamptz NOT NULL,
    CHECK ((running_since IS NULL) = (due_at IS NULL)),
    CHECK ((status IN ('open', 'in_progress')) = (running_since IS NOT NULL)),
    CHECK (status <> 'resolved' OR resolved_at IS NOT NULL),
    CHECK ((status = 'closed') = (closed_at IS NOT NULL)),
    CHECK (rating IS NULL OR (status = 'closed' AND merged_into IS NULL)),
    CHECK (merged_into IS NULL OR (status = 'closed' AND merged_into <> id))
);
-- Support's queue: tickets not closed, soonest due first (paused ones after), read in this
-- order and filtered; closed ones newest first by id.
CREATE INDEX tickets_queue_idx ON tickets (due_at, id) WHERE status <> 'closed';
CREATE INDEX tickets_assignee_idx ON tickets (assignee_id, due_at, id) WHERE status <> 'closed';
CREATE INDEX tickets_category_idx ON tickets (category, due_at, id) WHERE status <> 'closed';
CREATE INDEX tickets_area_idx ON tickets (area, due_at, id) WHERE status <> 'closed';
CREATE INDEX tickets_consumer_idx ON tickets (consumer_id, opened_at DESC);
CREATE INDEX tickets_account_idx ON tickets (account_id, opened_at DESC);
-- The hourly pass: resolved tickets to close, and unresolved ones to escalate.
CREATE INDEX tickets_resolved_idx ON tickets (resolved_at) WHERE status = 'resolved';
CREATE INDEX tickets_unescalated_idx ON tickets (opened_at) WHERE escalated_at IS NULL AND status IN ('open', 'in_progress', 'waiting');

-- Everything that happened to a ticket, for both sides to read: never changed.
CREATE TABLE ticket_events (
    id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id bigint      NOT NULL REFERENCES tickets (id),
    at        timestamptz NOT NULL,
    -- Who: a consumer, a staff member, or nobody (Meterline itself, as when it closes a ticket).
    user_id   bigint      REFERENCES users (id),
    by_staff  boolean     NOT NULL,
    kind      text        NOT NULL CHECK (kind IN ('opened', 'comment', 'status', 'assigned', 'merged', 'escalated', 'compensated', 'rated')),
    -- The status after a 'status' event.
    status    text        CHECK (status IN ('open', 'in_progress', 'waiting', 'resolved', 'closed')),
    body      text        CHECK (length(body) BETWEEN 1 AND 4000),
    CHECK ((kind = 'status') = (status IS NOT NULL)),
    CHECK (kind NOT IN ('opened', 'comment') OR body IS NOT NULL)
);
CREATE INDEX ticket_events_ticket_idx ON ticket_events (ticket_id, id);
CREATE TRIGGER ticket_events_append_only BEFORE UPDATE OR DELETE ON ticket_events
    FOR EACH ROW EXECUTE FUNCTION forbid_change();

-- Support's ready answers.
CREATE TABLE canned_replies (
    id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title text   NOT NULL UNIQUE CHECK (length(title) BETWEEN 1 AND 80),
    body  text   NOT NULL CHECK (length(body) BETWEEN 1 AND 2000)
);
INSERT INTO canned_replies (title, body) VALUES
    ('Looking into it', 'Thank you for telling us. We are looking into it and will write here as soon as we know more.'),
    ('Need a photo of the meter', 'Could you send us a photo of your meter showing the reading and the serial number? Reply here and we will carry on.'),
    ('Engineer booked', 'An engineer will visit within the service standard''s time. Please make sure the meter can be reached.'),
    ('Fixed', 'This is fixed now. If anything is still wrong, reopen this ticket within 14 days and we will pick it up again.');

-- Compensation for a breached service standard is a ledger adjustment, at most one per ticket.
ALTER TABLE ledger_entries ADD COLUMN ticket_id bigint REFERENCES tickets (id);
ALTER TABLE ledger_entries ADD CHECK (ticket_id IS NULL OR kind = 'adjustment');
CREATE UNIQUE INDEX ledger_entries_ticket_key ON ledger_entries (ticket_id) WHERE ticket_id IS NOT NULL;

-- NT-2: ticket changes are a kind of message the consumer chooses channels for.
ALTER TABLE notification_preferences DROP CONSTRAINT notification_preferences_kind_check;
ALTER TABLE notification_preferences ADD CONSTRAINT notification_preferences_kind_check
    CHECK (kind IN ('new_bill', 'due_reminder', 'payment_receipt', 'dispute', 'abnormal_use', 'ticket'));
