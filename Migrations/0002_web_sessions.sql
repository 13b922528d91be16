-- Web: server-side sessions (ID-8). The cookie holds a random 256-bit token; only its SHA-256
-- is stored here, so reading this table does not let anyone sign in.
CREATE TABLE sessions (
    id_hash      bytea       PRIMARY KEY CHECK (length(id_hash) = 32),
    csrf_token   text        NOT NULL CHECK (length(csrf_token) >= 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    CHECK (expires_at > created_at)
);

-- Purging expired sessions scans by expiry.
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
