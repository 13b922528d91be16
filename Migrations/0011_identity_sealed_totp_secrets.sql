-- Staff TOTP secrets are now sealed with AES-256-GCM (nonce 12 + secret 20 + tag 16 bytes).
-- Secrets stored before this were plain: they are dropped, and those staff enrol again.
UPDATE users SET totp_secret = NULL, totp_enrolled_at = NULL, totp_last_step = NULL WHERE totp_secret IS NOT NULL;
ALTER TABLE users DROP CONSTRAINT users_totp_secret_check;
ALTER TABLE users ADD CONSTRAINT users_totp_secret_sealed CHECK (totp_secret IS NULL OR length(totp_secret) = 48);
