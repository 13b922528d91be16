-- Identity (ID-1, ID-2, ID-4, ID-8): logins, one-time codes, and sessions tied to a login.

CREATE TABLE users (
    id                 bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username           text        NOT NULL CHECK (username ~ '^[A-Za-z0-9._-]{3,32}$'),
    full_name          text        NOT NULL CHECK (length(full_name) BETWEEN 1 AND 120),
    postal_address     text        CHECK (length(postal_address) BETWEEN 5 AND 300),
    mobile             text        CHECK (mobile ~ '^\+[1-9][0-9]{7,14}$'),
    email              text        CHECK (length(email) <= 254 AND email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'),
    password_hash      text        NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    account_id         bigint      REFERENCES accounts (id),
    -- pending: registered, mobile not yet verified; such rows expire after 24 hours.
    status             text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'active', 'suspended')),
    mobile_verified_at timestamptz,
    email_verified_at  timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    last_login_at      timestamptz,
    CHECK (status = 'pending' OR mobile_verified_at IS NOT NULL OR mobile IS NULL)
);

-- Usernames and emails are unique whatever their case; an account number has one login.
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_key ON users (lower(email)) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX users_account_key ON users (account_id) WHERE account_id IS NOT NULL;
CREATE INDEX users_pending_created_idx ON users (created_at) WHERE status = 'pending';

-- One-time codes (ID-4): bound to one user and one purpose, stored only as an HMAC.
CREATE TABLE one_time_codes (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose         text        NOT NULL CHECK (purpose IN ('registration', 'login', 'recovery', 'unlock', 'reactivate')),
    recipient       text        NOT NULL,
    code_hash       bytea       NOT NULL CHECK (length(code_hash) = 32),
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    failed_attempts integer     NOT NULL DEFAULT 0 CHECK (failed_attempts BETWEEN 0 AND 5),
    used_at         timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX one_time_codes_user_purpose_idx ON one_time_codes (user_id, purpose, created_at DESC);
-- "At most 10 codes per number per day" counts by recipient.
CREATE INDEX one_time_codes_recipient_idx ON one_time_codes (recipient, created_at DESC);

-- A session belongs to a signed-in user, or carries a registration waiting for its code.
ALTER TABLE sessions
    ADD COLUMN user_id bigint REFERENCES users (id) ON DELETE CASCADE,
    ADD COLUMN pending_user_id bigint REFERENCES users (id) ON DELETE CASCADE;
CREATE INDEX sessions_user_idx ON sessions (user_id) WHERE user_id IS NOT NULL;
