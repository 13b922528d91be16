-- NT-2: three days before a bill is due, its owner is reminded, once, if it is still unpaid.
CREATE TABLE due_reminders (
    bill_id bigint      PRIMARY KEY REFERENCES bills (id),
    sent_at timestamptz NOT NULL
);
