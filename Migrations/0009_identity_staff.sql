-- Staff accounts (ID-7): created by an admin, never self-registered; roles grant permissions;
-- a first sign-in must set a new password and enrol a TOTP authenticator before any staff page.
ALTER TABLE users
    ADD COLUMN kind text NOT NULL DEFAULT 'consumer' CHECK (kind IN ('consumer', 'staff')),
    ADD COLUMN roles text[] NOT NULL DEFAULT '{}'
        CHECK (roles <@ ARRAY['meter_reader', 'technician', 'engineer', 'support', 'finance', 'admin']::text[]),
    ADD COLUMN must_change_password boolean NOT NULL DEFAULT false,
    -- RFC 6238 secret (160 bits); enrolled once a code from the authenticator was accepted.
    ADD COLUMN totp_secret bytea CHECK (totp_secret IS NULL OR length(totp_secret) = 20),
    ADD COLUMN totp_enrolled_at timestamptz,
    -- The last time step accepted: a TOTP code works once.
    ADD COLUMN totp_last_step bigint,
    ADD CONSTRAINT users_roles_are_for_staff CHECK (kind = 'staff' OR cardinality(roles) = 0),
    ADD CONSTRAINT users_totp_is_for_staff CHECK (kind = 'staff' OR totp_secret IS NULL),
    ADD CONSTRAINT users_enrolled_has_secret CHECK (totp_enrolled_at IS NULL OR totp_secret IS NOT NULL);

-- A session has passed the second factor when this is set; a new sign-in clears it.
ALTER TABLE sessions ADD COLUMN second_factor_at timestamptz;
