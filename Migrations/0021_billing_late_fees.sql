-- BL-6: a late fee is charged once per bill, after its due date and the grace days, never on a
-- disputed bill. The fee is a ledger entry that names its bill; this index makes "once" a rule.
CREATE UNIQUE INDEX ledger_entries_late_fee_key ON ledger_entries (bill_id) WHERE kind = 'late_fee';
-- The daily late-fee pass and the defaulters page look for issued bills by due date.
CREATE INDEX bills_due_idx ON bills (due_on) WHERE number IS NOT NULL;
