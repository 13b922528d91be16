-- Accounts (MT-1, as far as identity needs it): the utility accounts people register against.
-- The account number is printed on the paper bill; the mobile on file is what the utility holds,
-- and a registration must give the same number. The metering work adds area, billing type, status.
CREATE TABLE accounts (
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_number text        NOT NULL UNIQUE CHECK (account_number ~ '^[0-9]{6,16}$'),
    category       text        NOT NULL CHECK (category IN ('residential', 'commercial', 'industrial')),
    supply_address text        NOT NULL CHECK (length(supply_address) BETWEEN 5 AND 300),
    mobile_on_file text        NOT NULL CHECK (mobile_on_file ~ '^\+[1-9][0-9]{7,14}$'),
    created_at     timestamptz NOT NULL DEFAULT now()
);
