-- ID-1, ID-3: links sent by email, to verify an address and to sign in without a password.
-- A link carries 256 random bits; only their HMAC is stored, so a copy of this table opens nothing.
CREATE TABLE email_links (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     text        NOT NULL CHECK (purpose IN ('verify_email', 'login')),
    -- The address the link went to: a verification link only counts while the login still has it.
    email       text        NOT NULL CHECK (length(email) <= 254),
    token_hash  bytea       NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX email_links_user_purpose_idx ON email_links (user_id, purpose, created_at DESC);
-- "At most 10 a day to one address" counts by recipient.
CREATE INDEX email_links_email_idx ON email_links (lower(email), created_at DESC);
-- Username reminders are capped per recipient per day, by mobile or address.
CREATE INDEX notifications_recipient_idx ON notifications (lower(recipient), created_at DESC);
