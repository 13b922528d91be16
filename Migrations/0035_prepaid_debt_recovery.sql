-- BL-8: the part of a prepaid purchase that paid what the account owed instead of buying energy
-- (`prepaid.debt.recovery.percent` of it, until the debt is cleared). The token sale is the rest.
ALTER TABLE payments ADD COLUMN debt_recovered bigint NOT NULL DEFAULT 0
    CHECK (debt_recovered >= 0 AND debt_recovered < amount);
