-- BL-9 and BL-6 over a million accounts: finance's reports read totals kept as the ledger is
-- written (a few hundred rows), not a year of bills and entries, and the defaulters list reads
-- the arrears worked out per account, redone only for the accounts that changed.
-- The ledger is append-only, so its inserts are all there is to follow: one statement trigger
-- folds each statement's new entries in at once (a grouped upsert, not one per row). Months are
-- the writing session's (the portal's sessions all use the utility's time zone).

-- What was booked each month, by kind of entry; a reversal of a payment apart from other reversals.
CREATE TABLE ledger_month_totals (
    month      date    NOT NULL CHECK (extract(day FROM month) = 1),
    kind       text    NOT NULL,
    of_payment boolean NOT NULL,
    amount     bigint  NOT NULL,
    entries    bigint  NOT NULL CHECK (entries >= 0),
    PRIMARY KEY (month, kind, of_payment)
);

-- Each billing period's issued bills and the credit notes against them, by the account's category
-- and area when the entry was written (a credit note comes off where the account is then).
CREATE TABLE bill_period_totals (
    period         date   NOT NULL CHECK (extract(day FROM period) = 1),
    category       text   NOT NULL,
    area           text   NOT NULL,
    bills          bigint NOT NULL,
    billed         bigint NOT NULL,
    credited_bills bigint NOT NULL,
    -- As a positive amount: billed less credited is what stands.
    credited       bigint NOT NULL,
    -- Units of the bills that stand.
    units          bigint NOT NULL,
    PRIMARY KEY (period, category, area)
);

-- The accounts owing on bills past their due date, as `Arrears` works them out; an account is
-- worked out again after any change to it (`arrears_changes`) and all of them when the day changes.
-- Worked out from account_balances, so the account exists: no foreign key, whose check per row
-- costs a quarter of working out a million accounts.
CREATE TABLE arrears (
    account_id   bigint  PRIMARY KEY,
    balance      bigint  NOT NULL CHECK (balance > 0),
    days_overdue integer NOT NULL CHECK (days_overdue > 0),
    aged_30      bigint  NOT NULL ,
    aged_60      bigint  NOT NULL ,
    aged_90      bigint  NOT NULL ,
    aged_older   bigint  NOT NULL 
);
CREATE INDEX arrears_order_idx ON arrears (days_overdue DESC, balance DESC);

-- Accounts whose arrears are to be worked out again. Rows are only added and taken away, with no
-- key, so that writers never wait on each other or on the worker here.
CREATE TABLE arrears_changes (account_id bigint NOT NULL);

-- The day the arrears were last worked out for (ages count from it); NULL: never.
CREATE TABLE arrears_state (
    single        boolean PRIMARY KEY DEFAULT true CHECK (single),
    worked_out_on date
);
INSERT INTO arrears_state (single, worked_out_on) VALUES (true, NULL);

CREATE FUNCTION fold_ledger_entries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ledger_month_totals AS t (month, kind, of_payment, amount, entries)
    SELECT date_trunc('month', booked_at)::date, kind, payment_id IS NOT NULL, sum(amount), count(*)
    FROM added GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (month, kind, of_payment) DO UPDATE SET amount = t.amount + excluded.amount, entries = t.entries + excluded.entries;

    INSERT INTO bill_period_totals AS t (period, category, area, bills, billed, credited_bills, credited, units)
    SELECT b.period, a.category, a.area,
           count(*) FILTER (WHERE e.kind = 'bill'), coalesce(sum(e.amount) FILTER (WHERE e.kind = 'bill'), 0),
           count(*) FILTER (WHERE e.kind = 'credit_note'), coalesce(-sum(e.amount) FILTER (WHERE e.kind = 'credit_note'), 0),
           sum(CASE e.kind WHEN 'bill' THEN b.units ELSE -b.units END)
    FROM added e JOIN bills b ON b.id = e.bill_id JOIN accounts a ON a.id = b.account_id
    WHERE e.kind IN ('bill', 'credit_note')
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (period, category, area) DO UPDATE SET
        bills = t.bills + excluded.bills, billed = t.billed + excluded.billed, credited_bills = t.credited_bills + excluded.credited_bills,
        credited = t.credited + excluded.credited, units = t.units + excluded.units;

    INSERT INTO arrears_changes (account_id) SELECT DISTINCT account_id FROM added;
    RETURN NULL;
END
$$;
CREATE TRIGGER ledger_entries_fold AFTER INSERT ON ledger_entries
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION fold_ledger_entries();

-- A bill disputed or settled changes what its account is in arrears for, with no ledger entry.
CREATE FUNCTION note_arrears_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO arrears_changes (account_id) VALUES (NEW.account_id);
    RETURN NULL;
END
$$;
CREATE TRIGGER bills_disputed_changed AFTER UPDATE OF disputed ON bills
    FOR EACH ROW WHEN (OLD.disputed IS DISTINCT FROM NEW.disputed) EXECUTE FUNCTION note_arrears_change();

-- What is there already.
INSERT INTO ledger_month_totals (month, kind, of_payment, amount, entries)
SELECT date_trunc('month', booked_at)::date, kind, payment_id IS NOT NULL, sum(amount), count(*)
FROM ledger_entries GROUP BY 1, 2, 3;

INSERT INTO bill_period_totals (period, category, area, bills, billed, credited_bills, credited, units)
SELECT b.period, a.category, a.area,
       count(*) FILTER (WHERE e.kind = 'bill'), coalesce(sum(e.amount) FILTER (WHERE e.kind = 'bill'), 0),
       count(*) FILTER (WHERE e.kind = 'credit_note'), coalesce(-sum(e.amount) FILTER (WHERE e.kind = 'credit_note'), 0),
       sum(CASE e.kind WHEN 'bill' THEN b.units ELSE -b.units END)
FROM ledger_entries e JOIN bills b ON b.id = e.bill_id JOIN accounts a ON a.id = b.account_id
WHERE e.kind IN ('bill', 'credit_note')
GROUP BY 1, 2, 3;
