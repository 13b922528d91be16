-- MT-2, MT-7: the meter registry, where each meter is installed (with history), and the health
-- of smart meters as the bridge reports it.
CREATE TABLE meters (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    serial          text        NOT NULL CHECK (serial ~ '^[A-Z0-9][A-Z0-9-]{3,31}$'),
    model           text        NOT NULL CHECK (length(model) BETWEEN 1 AND 80),
    kind            text        NOT NULL CHECK (kind IN ('manual', 'smart', 'prepaid')),
    -- Units per register step (current-transformer meters read a fraction of the real flow).
    multiplier      integer     NOT NULL DEFAULT 1 CHECK (multiplier BETWEEN 1 AND 10000),
    -- The register turns over to zero after 10^digits - 1.
    register_digits smallint    NOT NULL DEFAULT 6 CHECK (register_digits BETWEEN 4 AND 10),
    -- secp256k1 public key, compressed, hex: smart meters sign what they send (BR-1).
    public_key      text        CHECK (public_key ~ '^0[23][0-9a-f]{64}$'),
    status          text        NOT NULL DEFAULT 'registered' CHECK (status IN ('registered', 'provisioned', 'installed', 'removed')),
    registered_by   bigint      REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (kind <> 'smart' OR public_key IS NOT NULL)
);
CREATE UNIQUE INDEX meters_serial_key ON meters (serial);
-- Serial prefixes in the field search, whatever the database's collation.
CREATE INDEX meters_serial_prefix_idx ON meters (serial text_pattern_ops);

-- One row per time a meter stood at an account. An exchange closes one row with its final
-- reading and opens the next; nothing is overwritten.
CREATE TABLE meter_installations (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meter_id        bigint      NOT NULL REFERENCES meters (id),
    account_id      bigint      NOT NULL REFERENCES accounts (id),
    installed_on    date        NOT NULL,
    initial_reading bigint      NOT NULL CHECK (initial_reading >= 0),
    latitude        numeric(9, 6) CHECK (latitude BETWEEN -90 AND 90),
    longitude       numeric(9, 6) CHECK (longitude BETWEEN -180 AND 180),
    installed_by    bigint      REFERENCES users (id),
    removed_on      date,
    final_reading   bigint      CHECK (final_reading >= 0),
    removed_by      bigint      REFERENCES users (id),
    CHECK ((removed_on IS NULL) = (final_reading IS NULL)),
    CHECK (removed_on IS NULL OR removed_on >= installed_on)
);
-- A meter stands in one place at a time, and a premise has one live meter.
CREATE UNIQUE INDEX meter_installations_live_meter_key ON meter_installations (meter_id) WHERE removed_on IS NULL;
CREATE UNIQUE INDEX meter_installations_live_account_key ON meter_installations (account_id) WHERE removed_on IS NULL;
CREATE INDEX meter_installations_account_idx ON meter_installations (account_id, installed_on DESC);

-- Location updates by technicians keep their history too.
CREATE TABLE meter_locations (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    installation_id bigint      NOT NULL REFERENCES meter_installations (id),
    latitude        numeric(9, 6) NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude       numeric(9, 6) NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    recorded_by     bigint      REFERENCES users (id),
    recorded_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE meter_health (
    meter_id     bigint      PRIMARY KEY REFERENCES meters (id),
    last_seen_at timestamptz NOT NULL,
    signal_dbm   smallint    CHECK (signal_dbm BETWEEN -150 AND 0),
    voltage      numeric(6, 1) CHECK (voltage BETWEEN 0 AND 1000),
    relay        text        CHECK (relay IN ('connected', 'disconnected')),
    tamper       boolean     NOT NULL DEFAULT false
);
CREATE INDEX meter_health_last_seen_idx ON meter_health (last_seen_at);
