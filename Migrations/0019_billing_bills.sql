-- BL-2: bill runs, bills and their lines. A run is a draft until a second finance user approves
-- it; only then are its bills issued: numbered without gaps, entered in the ledger, announced.
CREATE TABLE bill_runs (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    period          date        NOT NULL CHECK (extract(day FROM period) = 1),
    status          text        NOT NULL CHECK (status IN ('drafting', 'draft', 'approved', 'issuing', 'issued', 'discarded')),
    accounts_total  integer     NOT NULL DEFAULT 0 CHECK (accounts_total >= 0),
    accounts_done   integer     NOT NULL DEFAULT 0 CHECK (accounts_done >= 0),
    created_by      bigint      NOT NULL REFERENCES users (id),
    created_at      timestamptz NOT NULL,
    approved_by     bigint      REFERENCES users (id),
    approved_at     timestamptz,
    issued_at       timestamptz,
    discarded_by    bigint      REFERENCES users (id),
    discarded_at    timestamptz,
    -- Four eyes: whoever drafted the run cannot approve it.
    CHECK (approved_by IS NULL OR approved_by <> created_by),
    CHECK ((approved_by IS NULL) = (approved_at IS NULL)),
    CHECK (status NOT IN ('approved', 'issuing', 'issued') OR approved_by IS NOT NULL),
    CHECK ((status = 'discarded') = (discarded_at IS NOT NULL))
);
-- One live run per month.
CREATE UNIQUE INDEX bill_runs_period_key ON bill_runs (period) WHERE status <> 'discarded';
CREATE INDEX bill_runs_recent_idx ON bill_runs (period DESC, id DESC);

-- Gapless numbers: one counter per series and year, moved in the transaction that issues the
-- bills it numbers, so a crash rolls the counter back with them.
CREATE TABLE bill_number_series (
    prefix text    NOT NULL CHECK (prefix ~ '^[A-Z]{2,6}$'),
    year   integer NOT NULL CHECK (year BETWEEN 2000 AND 2999),
    last   integer NOT NULL CHECK (last >= 0),
    PRIMARY KEY (prefix, year)
);

CREATE TABLE bills (
    id                 bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bill_run_id        bigint      NOT NULL REFERENCES bill_runs (id),
    account_id         bigint      NOT NULL REFERENCES accounts (id),
    period             date        NOT NULL CHECK (extract(day FROM period) = 1),
    opening_on         date,
    opening_value      bigint      CHECK (opening_value >= 0),
    closing_on         date        NOT NULL,
    closing_value      bigint      NOT NULL CHECK (closing_value >= 0),
    units              bigint      NOT NULL CHECK (units >= 0),
    -- No reading in the month: the closing value was estimated from the account's usual use.
    estimated          boolean     NOT NULL,
    -- Units of an earlier estimate corrected by this bill's actual reading (negative: overestimated).
    true_up_units      bigint,
    total              bigint      NOT NULL,
    exception          text        CHECK (exception IN ('no_reading', 'suspect_reading', 'zero_use', 'far_above_usual', 'negative_use', 'cannot_price')),
    number             text        UNIQUE CHECK (number ~ '^[A-Z]{2,6}-[0-9]{4}-[0-9]{6,9}$'),
    issued_at          timestamptz,
    due_on             date,
    balance_before     bigint,
    -- BL-7 sets this; late fees (BL-6) skip a disputed bill.
    disputed           boolean     NOT NULL DEFAULT false,
    CHECK ((number IS NULL) = (issued_at IS NULL)),
    CHECK ((number IS NULL) = (due_on IS NULL)),
    CHECK ((number IS NULL) = (balance_before IS NULL)),
    CHECK (opening_on IS NULL OR opening_on <= closing_on)
);
-- One bill per account and month, however often a run is started or resumed.
CREATE UNIQUE INDEX bills_account_period_key ON bills (account_id, period);
CREATE INDEX bills_run_idx ON bills (bill_run_id, id);
CREATE INDEX bills_account_idx ON bills (account_id, period DESC);

CREATE TABLE bill_lines (
    bill_id           bigint  NOT NULL REFERENCES bills (id) ON DELETE CASCADE,
    position          integer NOT NULL CHECK (position >= 1),
    kind              text    NOT NULL CHECK (kind IN ('energy', 'fixed_charge', 'minimum_charge', 'surcharge', 'fuel_adjustment', 'tax')),
    label             text    NOT NULL CHECK (length(label) BETWEEN 1 AND 120),
    amount            bigint  NOT NULL,
    units             bigint,
    rate              bigint,
    percentage        bigint,
    base              bigint,
    monthly           bigint,
    days              integer CHECK (days BETWEEN 1 AND 31),
    period_days       integer CHECK (period_days BETWEEN 28 AND 31),
    part              integer NOT NULL DEFAULT 0 CHECK (part >= 0),
    tariff_version_id bigint  NOT NULL REFERENCES tariff_versions (id),
    PRIMARY KEY (bill_id, position)
);

-- An issued bill is never edited or deleted: a correction is a credit note and a new bill.
CREATE FUNCTION bills_issued_are_final() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.number IS NOT NULL THEN
        -- Being marked disputed (BL-7) is the one change an issued bill takes.
        IF TG_OP = 'UPDATE' AND to_jsonb(NEW) - 'disputed' = to_jsonb(OLD) - 'disputed' THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'bill % is issued: it cannot be changed', OLD.number USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$;
CREATE TRIGGER bills_issued_final BEFORE UPDATE OR DELETE ON bills
    FOR EACH ROW EXECUTE FUNCTION bills_issued_are_final();

CREATE FUNCTION bill_lines_of_issued_bills_are_final() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM bills WHERE id = OLD.bill_id AND number IS NOT NULL) THEN
        RAISE EXCEPTION 'the lines of an issued bill cannot be changed' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$;
CREATE TRIGGER bill_lines_final BEFORE UPDATE OR DELETE ON bill_lines
    FOR EACH ROW EXECUTE FUNCTION bill_lines_of_issued_bills_are_final();
