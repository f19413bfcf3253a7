-- Keys, accounts, sessions and the audit log.

-- How the key-encryption key is obtained; one row. No secret in the clear.
CREATE TABLE keyring (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    kek_kind        TEXT NOT NULL CHECK (kek_kind IN ('key_file', 'passphrase')),
    kdf_salt        BLOB,
    kdf_memory_kib  INTEGER,
    kdf_iterations  INTEGER,
    kdf_parallelism INTEGER
);

-- Keys wrapped (encrypted) under the key-encryption key.
CREATE TABLE wrapped_key (
    purpose    TEXT NOT NULL CHECK (purpose IN ('data', 'audit')),
    version    INTEGER NOT NULL,
    nonce      BLOB NOT NULL,
    ciphertext BLOB NOT NULL,
    PRIMARY KEY (purpose, version)
);

CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY NOT NULL,
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    target_kind TEXT,
    target_id   TEXT,
    detail      TEXT NOT NULL,
    prev_seal   TEXT NOT NULL,
    seal        TEXT NOT NULL
);
CREATE INDEX audit_log_target ON audit_log (target_id);

CREATE TABLE audit_anchor (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    count INTEGER NOT NULL,
    head  TEXT NOT NULL,
    seal  TEXT NOT NULL
);

CREATE TABLE account (
    id                TEXT PRIMARY KEY NOT NULL,
    username          TEXT NOT NULL UNIQUE,
    role              TEXT NOT NULL CHECK (role IN ('administrator', 'editor', 'analyst', 'viewer')),
    password_hash     TEXT NOT NULL,
    must_change       INTEGER NOT NULL CHECK (must_change IN (0, 1)),
    disabled          INTEGER NOT NULL CHECK (disabled IN (0, 1)),
    failed_sign_ins   INTEGER NOT NULL,
    locked_until      INTEGER,
    totp_key_version  INTEGER,
    totp_nonce        BLOB,
    totp_ciphertext   BLOB,
    created_at        INTEGER NOT NULL
);

CREATE TABLE recovery_code (
    account_id TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    used_at    INTEGER,
    PRIMARY KEY (account_id, code_hash)
);

-- Session tokens are stored hashed; the token itself is only ever with the user.
CREATE TABLE session (
    token_hash TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX session_account ON session (account_id);
