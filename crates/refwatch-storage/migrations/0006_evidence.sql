-- Evidence files as received. The bytes live sealed in the evidence store
-- (named by a keyed hash of their SHA-256); here are their records. Who
-- handed a file over and its original name are sealed (provenance_*).
CREATE TABLE evidence (
    id                 TEXT PRIMARY KEY NOT NULL,
    hash               TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
    size               INTEGER NOT NULL CHECK (size >= 0),
    media              TEXT NOT NULL CHECK (media IN ('pdf', 'docx', 'html', 'text', 'image', 'audio', 'other')),
    source_id          TEXT NOT NULL REFERENCES source (id),
    received_via       TEXT NOT NULL,
    received_at        INTEGER NOT NULL,
    confidentiality    TEXT NOT NULL CHECK (confidentiality IN ('public', 'restricted', 'confidential')),
    language           TEXT,
    extraction         TEXT NOT NULL CHECK (extraction IN ('text', 'none', 'failed')),
    text_chars         INTEGER,
    failure            TEXT,
    provenance_version INTEGER NOT NULL,
    provenance_nonce   BLOB NOT NULL,
    provenance         BLOB NOT NULL
);

CREATE INDEX evidence_source ON evidence (source_id);

-- Each file's chain of custody, in order. Entries are appended, never changed.
CREATE TABLE custody (
    evidence_id TEXT NOT NULL REFERENCES evidence (id),
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL CHECK (action IN ('intake', 'view', 'download', 'export', 'transfer', 'verify')),
    hash        TEXT CHECK (hash IS NULL OR length(hash) = 64),
    note        TEXT NOT NULL,
    PRIMARY KEY (evidence_id, seq)
);

CREATE TRIGGER custody_append_only_update BEFORE UPDATE ON custody
BEGIN
    SELECT RAISE(ABORT, 'custody entries are never changed');
END;

CREATE TRIGGER custody_append_only_delete BEFORE DELETE ON custody
BEGIN
    SELECT RAISE(ABORT, 'custody entries are never removed');
END;
