-- Secrets of the organisation kept sealed under the data key, by name
-- (the Ed25519 key that signs export bundles).
CREATE TABLE sealed_secret (
    name        TEXT PRIMARY KEY NOT NULL,
    key_version INTEGER NOT NULL,
    nonce       BLOB NOT NULL,
    ciphertext  BLOB NOT NULL
);
