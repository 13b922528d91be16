-- BL-8: STS prepaid tokens (IEC 62055-41), the vending keys they derive from, each prepaid
-- meter's key settings, and purchases paid through the gateway.

-- A vending key is stored sealed (AES-256-GCM under the portal's secret) and never shown again;
-- its fingerprint tells keys apart. The newest revision of a supply group is the one in use.
CREATE TABLE vending_keys (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    supply_group text        NOT NULL CHECK (supply_group ~ '^[0-9]{6}$'),
    key_revision smallint    NOT NULL CHECK (key_revision BETWEEN 1 AND 9),
    key_type     smallint    NOT NULL CHECK (key_type BETWEEN 0 AND 3),
    sealed_key   bytea       NOT NULL,
    fingerprint  text        NOT NULL CHECK (fingerprint ~ '^[0-9a-f]{8}$'),
    loaded_by    bigint      REFERENCES users (id),
    loaded_at    timestamptz NOT NULL,
    UNIQUE (supply_group, key_revision)
);

-- What a prepaid meter's decoder key is made from, and the token identifiers' base date it counts
-- from; a key change token moves both.
CREATE TABLE prepaid_meters (
    meter_id     bigint      PRIMARY KEY REFERENCES meters (id),
    pan          text        NOT NULL UNIQUE CHECK (pan ~ '^[0-9]{18}$'),
    supply_group text        NOT NULL CHECK (supply_group ~ '^[0-9]{6}$'),
    tariff_index text        NOT NULL CHECK (tariff_index ~ '^[0-9]{2}$'),
    key_revision smallint    NOT NULL CHECK (key_revision BETWEEN 1 AND 9),
    base_year    smallint    NOT NULL CHECK (base_year IN (1993, 2014, 2035)),
    updated_at   timestamptz NOT NULL
);

CREATE TABLE prepaid_tokens (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meter_id    bigint      NOT NULL REFERENCES prepaid_meters (meter_id),
    account_id  bigint      NOT NULL REFERENCES accounts (id),
    kind        text        NOT NULL CHECK (kind IN ('credit', 'emergency', 'key_change')),
    -- Minutes since the base date: a meter accepts each identifier once.
    token_id    integer     NOT NULL CHECK (token_id BETWEEN 0 AND 16777215),
    base_year   smallint    NOT NULL CHECK (base_year IN (1993, 2014, 2035)),
    -- Tenths of a kWh (none for a key change).
    units       integer     NOT NULL CHECK (units >= 0),
    digits      text        NOT NULL CHECK (digits ~ '^[0-9]{20}$'),
    payment_id  bigint      REFERENCES payments (id),
    issued_by   bigint      REFERENCES users (id),
    issued_at   timestamptz NOT NULL,
    -- Sent to a smart prepaid meter through a bridge.
    command_id  bigint      UNIQUE REFERENCES meter_commands (id),
    note        text        CHECK (length(note) BETWEEN 1 AND 500),
    CHECK (kind <> 'credit' OR payment_id IS NOT NULL),
    CHECK (kind <> 'emergency' OR issued_by IS NOT NULL)
);
CREATE UNIQUE INDEX prepaid_tokens_identifier_key ON prepaid_tokens (meter_id, base_year, token_id) WHERE kind <> 'key_change';
CREATE UNIQUE INDEX prepaid_tokens_payment_key ON prepaid_tokens (payment_id) WHERE kind = 'credit';
CREATE INDEX prepaid_tokens_meter_idx ON prepaid_tokens (meter_id, id DESC);
CREATE INDEX prepaid_tokens_account_idx ON prepaid_tokens (account_id, id DESC);

-- A purchase of credit for a prepaid meter: the payment buys a token, booked as a sale.
ALTER TABLE payments ADD COLUMN meter_id bigint REFERENCES meters (id);
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_kind_check;
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_kind_check
    CHECK (kind IN ('bill', 'credit_note', 'payment', 'adjustment', 'late_fee', 'refund', 'reversal', 'token_sale'));
ALTER TABLE ledger_entries ADD CHECK (kind <> 'token_sale' OR payment_id IS NOT NULL);
CREATE UNIQUE INDEX ledger_entries_token_sale_key ON ledger_entries (payment_id) WHERE kind = 'token_sale';
