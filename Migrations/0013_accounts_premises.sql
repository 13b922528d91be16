-- MT-1: an account is a premise the utility supplies: the holder's name as the utility knows
-- it, the area (zone) it belongs to, how it pays (postpaid or prepaid), and whether it is live.
-- The owner is the consumer login registered against it (users.account_id).
ALTER TABLE accounts
    ADD COLUMN holder_name  text,
    ADD COLUMN area         text NOT NULL DEFAULT 'Central' CHECK (length(area) BETWEEN 1 AND 60),
    ADD COLUMN billing_type text NOT NULL DEFAULT 'postpaid' CHECK (billing_type IN ('postpaid', 'prepaid')),
    ADD COLUMN status       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disconnected', 'closed'));
UPDATE accounts SET holder_name = 'Account holder' WHERE holder_name IS NULL;
ALTER TABLE accounts
    ALTER COLUMN holder_name SET NOT NULL,
    ADD CONSTRAINT accounts_holder_name_check CHECK (length(holder_name) BETWEEN 1 AND 120);

-- Field search (MT-3): account-number prefixes through the btree; words of the holder's name and
-- the address as whole words (GIN on an array), then as beginnings of words (a table of every
-- word of every account). A trigram index on the whole text was measured first: 15-60 ms for
-- two common words among a million accounts, against a 20 ms budget.
ALTER TABLE accounts ADD COLUMN search_text text
    GENERATED ALWAYS AS (lower(account_number || ' ' || holder_name || ' ' || supply_address)) STORED;
CREATE INDEX accounts_number_prefix_idx ON accounts (account_number text_pattern_ops);
CREATE INDEX accounts_area_idx ON accounts (area);

-- Whole words first: the words of each account as an array under a GIN index, which intersects
-- the accounts of several words at once (5-12 ms for three common words among a million).
ALTER TABLE accounts ADD COLUMN search_words text[]
    GENERATED ALWAYS AS (regexp_split_to_array(lower(account_number || ' ' || holder_name || ' ' || supply_address), '[^a-z0-9\u0080-\uffff]+')) STORED;
CREATE INDEX accounts_search_words_idx ON accounts USING gin (search_words);

-- Beginnings of words ("harb st"), when whole words find too little.
CREATE TABLE account_search_words (
    word       text   NOT NULL CHECK (length(word) BETWEEN 1 AND 300),
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX account_search_words_key ON account_search_words (word text_pattern_ops, account_id);
-- Checking the other typed words of one account reads only this index.
CREATE INDEX account_search_words_account_idx ON account_search_words (account_id, word text_pattern_ops);

-- Kept in step with the account by a trigger, whoever writes the account. Words are split at
-- every ASCII character that is not a letter or digit (FindAccounts splits what is typed the
-- same way); letters beyond ASCII belong to words.
CREATE FUNCTION account_search_words_refresh() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM account_search_words WHERE account_id = NEW.id;
    END IF;
    INSERT INTO account_search_words (word, account_id)
    SELECT DISTINCT w, NEW.id FROM regexp_split_to_table(NEW.search_text, '[^a-z0-9\u0080-\uffff]+') AS w WHERE w <> '';
    RETURN NULL;
END;
$$;
CREATE TRIGGER accounts_search_words AFTER INSERT OR UPDATE OF account_number, holder_name, supply_address ON accounts
    FOR EACH ROW EXECUTE FUNCTION account_search_words_refresh();
INSERT INTO account_search_words (word, account_id)
SELECT DISTINCT w, a.id FROM accounts a, regexp_split_to_table(a.search_text, '[^a-z0-9\u0080-\uffff]+') AS w WHERE w <> '';
