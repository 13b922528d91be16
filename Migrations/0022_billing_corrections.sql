-- BL-2: back-billing is capped. When an actual reading ends a run of estimates that under-billed,
-- only the use from `billable_from` on is charged; the older part is written off, and the bill
-- says so.
ALTER TABLE bills ADD COLUMN written_off_units bigint CHECK (written_off_units > 0);
ALTER TABLE bills ADD COLUMN billable_from date;
ALTER TABLE bills ADD CHECK ((written_off_units IS NULL) = (billable_from IS NULL));

-- An issued bill is never edited: a mistake is corrected by a credit note for the whole bill
-- (and, where needed, a new bill). Credit notes are numbered in their own gapless series, through
-- bill_number_series, and each has exactly one ledger entry.
CREATE TABLE credit_notes (
    id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bill_id   bigint      NOT NULL UNIQUE REFERENCES bills (id),
    account_id bigint     NOT NULL REFERENCES accounts (id),
    number    text        NOT NULL UNIQUE CHECK (number ~ '^[A-Z]{2,6}-[0-9]{4}-[0-9]{6,9}$'),
    -- The credited bill's total (a bill can total below zero, for instance with a negative fuel adjustment).
    amount    bigint      NOT NULL,
    reason    text        NOT NULL CHECK (length(reason) BETWEEN 5 AND 500),
    issued_by bigint      NOT NULL REFERENCES users (id),
    issued_at timestamptz NOT NULL
);
CREATE INDEX credit_notes_account_idx ON credit_notes (account_id);
CREATE TRIGGER credit_notes_append_only BEFORE UPDATE OR DELETE ON credit_notes
    FOR EACH ROW EXECUTE FUNCTION forbid_change();

-- A credit note's ledger entry names the bill it credits; one per bill.
CREATE UNIQUE INDEX ledger_entries_credit_note_key ON ledger_entries (bill_id) WHERE kind = 'credit_note';
ALTER TABLE ledger_entries ADD CHECK (kind <> 'credit_note' OR bill_id IS NOT NULL);
