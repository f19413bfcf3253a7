-- no-transaction
-- A person's consent as recorded (scope, date, who recorded it); the
-- citation behind each step of a person's status timeline; dated notes on
-- the implementation of UN recommendations, each citable.
--
-- `citable.kind` gains `implementation`: SQLite changes a CHECK only by
-- rebuilding the table, which is done with foreign keys off and in one
-- transaction (the same ids go back, so every reference still holds).
PRAGMA foreign_keys = OFF;
BEGIN;

CREATE TABLE citable_new (
    id   TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('incident', 'report', 'person', 'upr_review', 'mechanism', 'figure', 'implementation'))
);
INSERT INTO citable_new (id, kind) SELECT id, kind FROM citable;
DROP TABLE citable;
ALTER TABLE citable_new RENAME TO citable;

ALTER TABLE person ADD COLUMN consent_scope TEXT;
ALTER TABLE person ADD COLUMN consent_date TEXT;
ALTER TABLE person ADD COLUMN consent_recorded_by TEXT;

ALTER TABLE person_status ADD COLUMN citation_id TEXT REFERENCES citation (id);

CREATE TABLE mechanism_implementation (
    id           TEXT PRIMARY KEY NOT NULL REFERENCES citable (id),
    mechanism_id TEXT NOT NULL REFERENCES mechanism (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    date         TEXT NOT NULL,
    status       TEXT NOT NULL,
    summary      TEXT NOT NULL,
    UNIQUE (mechanism_id, position)
);

COMMIT;
PRAGMA foreign_keys = ON;
