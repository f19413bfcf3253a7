-- Every version of a record edited in the browser or the API, numbered
-- from 1 per record: the record as it was after the change, in the dataset
-- file format (`body`), who changed it, when, how and why. A record
-- imported before its first edit gets its imported state as version 1.
-- An archived record's last version keeps its body, so that it can be
-- restored. A person's version holds what does not identify them: never
-- their identity, nor the words of their citations (sealed with it).
CREATE TABLE record_version (
    kind            TEXT NOT NULL CHECK (kind IN ('source', 'place', 'actor', 'incident', 'person', 'mechanism', 'figure')),
    id              TEXT NOT NULL,
    number          INTEGER NOT NULL CHECK (number >= 1),
    at              INTEGER NOT NULL,
    actor           TEXT NOT NULL,
    action          TEXT NOT NULL CHECK (action IN ('imported', 'create', 'update', 'archive', 'restore')),
    reason          TEXT,
    confidentiality TEXT NOT NULL CHECK (confidentiality IN ('public', 'restricted', 'confidential')),
    body            TEXT NOT NULL,
    PRIMARY KEY (kind, id, number)
);
