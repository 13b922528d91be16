-- Identity (ID-5, ID-9): lockout after failed sign-ins, and rate limits shared by every server.

ALTER TABLE users
    ADD COLUMN failed_logins integer NOT NULL DEFAULT 0 CHECK (failed_logins BETWEEN 0 AND 100),
    ADD COLUMN locked_until timestamptz;

-- Fixed-window counters: one row per bucket (what is limited, for whom) and window.
CREATE TABLE rate_limits (
    bucket       text        NOT NULL CHECK (length(bucket) BETWEEN 3 AND 200),
    window_start timestamptz NOT NULL,
    hits         integer     NOT NULL CHECK (hits > 0),
    PRIMARY KEY (bucket, window_start)
);
CREATE INDEX rate_limits_window_idx ON rate_limits (window_start);
