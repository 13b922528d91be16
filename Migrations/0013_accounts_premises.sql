-- MT-1: an account is a premise the utility supplies: the holder's name as the utility knows
-- it, the area (zone) it belongs to, how it pays (postpaid or prepaid), and whether it is live.
-- The owner is the consumer login registered against it (users.account_id).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE accounts
    ADD COLUMN holder_name  text,
    ADD COLUMN area         text NOT NULL DEFAULT 'Central' CHECK (length(area) BETWEEN 1 AND 60),
    ADD COLUMN billing_type text NOT NULL DEFAULT 'postpaid' CHECK (billing_type IN ('postpaid', 'prepaid')),
    ADD COLUMN status       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disconnected', 'closed'));
UPDATE accounts SET holder_name = 'Account holder' WHERE holder_name IS NULL;
ALTER TABLE accounts
    ALTER COLUMN holder_name SET NOT NULL,
    ADD CONSTRAINT accounts_holder_name_check CHECK (length(holder_name) BETWEEN 1 AND 120);

-- Field search (MT-3): account-number prefix through the btree, name and address anywhere in
-- them through a trigram index on one lower-cased text.
ALTER TABLE accounts ADD COLUMN search_text text
    GENERATED ALWAYS AS (lower(account_number || ' ' || holder_name || ' ' || supply_address)) STORED;
CREATE INDEX accounts_number_prefix_idx ON accounts (account_number text_pattern_ops);
CREATE INDEX accounts_search_trgm_idx ON accounts USING gin (search_text gin_trgm_ops);
CREATE INDEX accounts_area_idx ON accounts (area);
