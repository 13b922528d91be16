-- BL-4: the ledger. Every amount an account owes or pays is an entry; entries are never changed
-- (a mistake is corrected by a reversal or an adjustment). Positive amounts are owed by the
-- consumer, negative ones are paid or credited. Each account's balance is kept beside it, in
-- the same transaction as its entries; `meterline verify-ledger` proves they agree.
CREATE TABLE ledger_entries (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id bigint      NOT NULL REFERENCES accounts (id),
    kind       text        NOT NULL CHECK (kind IN ('bill', 'credit_note', 'payment', 'adjustment', 'late_fee', 'refund', 'reversal')),
    amount     bigint      NOT NULL,
    bill_id    bigint      REFERENCES bills (id),
    booked_at  timestamptz NOT NULL,
    note       text        CHECK (length(note) BETWEEN 1 AND 500),
    CHECK (kind <> 'bill' OR bill_id IS NOT NULL)
);
-- Exactly one ledger entry per issued bill.
CREATE UNIQUE INDEX ledger_entries_bill_key ON ledger_entries (bill_id) WHERE kind = 'bill';
CREATE INDEX ledger_entries_account_idx ON ledger_entries (account_id, booked_at DESC, id DESC);
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION forbid_change();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();

CREATE TABLE account_balances (
    account_id bigint      PRIMARY KEY REFERENCES accounts (id),
    balance    bigint      NOT NULL,
    updated_at timestamptz NOT NULL
);
