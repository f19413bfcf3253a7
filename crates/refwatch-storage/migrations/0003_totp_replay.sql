-- The time step of the last accepted TOTP code, so that no code works twice.
ALTER TABLE account ADD COLUMN totp_last_step INTEGER;
