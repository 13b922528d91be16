-- BL-2: a correction is a credit note plus, where needed, a new bill for the same month, worked
-- out again from the readings as they stand. The new bill names the one it replaces; a month has
-- one original bill per account, and each bill is replaced at most once.
ALTER TABLE bills ADD COLUMN replaces_bill_id bigint UNIQUE REFERENCES bills (id);
ALTER TABLE bills ADD CHECK (replaces_bill_id IS NULL OR number IS NOT NULL);
DROP INDEX bills_account_period_key;
CREATE UNIQUE INDEX bills_account_period_key ON bills (account_id, period) WHERE replaces_bill_id IS NULL;
