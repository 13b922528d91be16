-- Identity (ID-5): a login unused for a long time is suspended and must be reactivated with a
-- code; one suspended by staff stays so until staff reopen it.
ALTER TABLE users
    ADD COLUMN suspended_reason text CHECK (suspended_reason IN ('idle', 'administrative')),
    ADD CONSTRAINT users_suspension_has_reason CHECK ((status = 'suspended') = (suspended_reason IS NOT NULL));
