-- Reviewers' current decision on each pair of records: the same person or
-- event, or not. The records themselves are never changed by a decision;
-- earlier decisions on a pair are in the audit log. a < b always, so a
-- pair has one row. Foreign keys keep a decided record from being deleted
-- while its decision stands.
CREATE TABLE incident_link (
    a       TEXT NOT NULL REFERENCES incident (id),
    b       TEXT NOT NULL REFERENCES incident (id),
    verdict TEXT NOT NULL CHECK (verdict IN ('same', 'different')),
    PRIMARY KEY (a, b),
    CHECK (a < b)
);
CREATE INDEX incident_link_b ON incident_link (b);

CREATE TABLE person_link (
    a       TEXT NOT NULL REFERENCES person (id),
    b       TEXT NOT NULL REFERENCES person (id),
    verdict TEXT NOT NULL CHECK (verdict IN ('same', 'different')),
    PRIMARY KEY (a, b),
    CHECK (a < b)
);
CREATE INDEX person_link_b ON person_link (b);

-- The latest linkage run of each kind: what it looked at and what it said
-- went less than well (field names and counts only, never values).
CREATE TABLE link_run (
    kind            TEXT PRIMARY KEY NOT NULL CHECK (kind IN ('incident', 'person')),
    ran_at          INTEGER NOT NULL,
    records         INTEGER NOT NULL,
    candidate_pairs INTEGER NOT NULL,
    threshold       REAL NOT NULL,
    diagnostics     TEXT NOT NULL
);

-- That run's suggested pairs, to review. The explanation is one line per
-- field, "field TAB level TAB weight": comparison levels and weights only,
-- never the compared values.
CREATE TABLE link_suggestion (
    kind        TEXT NOT NULL REFERENCES link_run (kind) ON DELETE CASCADE,
    a           TEXT NOT NULL,
    b           TEXT NOT NULL,
    probability REAL NOT NULL,
    explanation TEXT NOT NULL,
    PRIMARY KEY (kind, a, b)
);
CREATE INDEX link_suggestion_order ON link_suggestion (kind, probability DESC);
