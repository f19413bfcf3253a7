-- refwatch foundation schema.
-- Ids are canonical hyphenated UUID text. Dates are refwatch date texts
-- ("2023-10-09", "2023-10", "~2005", "2013-11-02/2013-11-19").
-- Child rows carry a position so that lists keep their order.

-- Every record that can carry citations has a row here, so that a citation
-- can reference its subject with a real foreign key.
CREATE TABLE citable (
    id   TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('incident', 'report', 'person', 'upr_review', 'mechanism', 'figure'))
);

CREATE TABLE source (
    id              TEXT PRIMARY KEY NOT NULL,
    kind            TEXT NOT NULL,
    title           TEXT NOT NULL,
    publisher       TEXT,
    author          TEXT,
    date            TEXT,
    language        TEXT,
    url             TEXT,
    symbol          TEXT,
    reliability     TEXT,
    confidentiality TEXT NOT NULL CHECK (confidentiality IN ('public', 'restricted', 'confidential')),
    note            TEXT
);

CREATE TABLE place (
    id              TEXT PRIMARY KEY NOT NULL,
    kind            TEXT NOT NULL,
    name_en         TEXT NOT NULL,
    name_ko         TEXT,
    name_zh         TEXT,
    country         TEXT,
    parent_id       TEXT REFERENCES place (id) DEFERRABLE INITIALLY DEFERRED,
    lat             REAL,
    lon             REAL,
    coord_precision TEXT
);

CREATE TABLE actor (
    id        TEXT PRIMARY KEY NOT NULL,
    kind      TEXT NOT NULL,
    name_en   TEXT NOT NULL,
    name_ko   TEXT,
    name_zh   TEXT,
    parent_id TEXT REFERENCES actor (id) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE incident (
    id              TEXT PRIMARY KEY NOT NULL REFERENCES citable (id),
    kind            TEXT NOT NULL,
    title           TEXT NOT NULL,
    summary         TEXT NOT NULL,
    date            TEXT NOT NULL,
    victims_low     INTEGER NOT NULL,
    victims_best    INTEGER,
    victims_high    INTEGER,
    verification    TEXT NOT NULL,
    confidentiality TEXT NOT NULL CHECK (confidentiality IN ('public', 'restricted', 'confidential'))
);
CREATE INDEX incident_date ON incident (date);

CREATE TABLE incident_place (
    incident_id TEXT NOT NULL REFERENCES incident (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    place_id    TEXT NOT NULL REFERENCES place (id),
    role        TEXT NOT NULL,
    PRIMARY KEY (incident_id, position)
);
CREATE INDEX incident_place_place ON incident_place (place_id);

CREATE TABLE incident_actor (
    incident_id TEXT NOT NULL REFERENCES incident (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    actor_id    TEXT NOT NULL REFERENCES actor (id),
    role        TEXT NOT NULL,
    PRIMARY KEY (incident_id, position)
);
CREATE INDEX incident_actor_actor ON incident_actor (actor_id);

CREATE TABLE incident_breakdown (
    incident_id TEXT NOT NULL REFERENCES incident (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    dimension   TEXT NOT NULL CHECK (dimension IN ('sex', 'age_group', 'category')),
    term        TEXT NOT NULL,
    low         INTEGER NOT NULL,
    best        INTEGER,
    high        INTEGER,
    PRIMARY KEY (incident_id, position)
);

CREATE TABLE incident_report (
    id           TEXT PRIMARY KEY NOT NULL REFERENCES citable (id),
    incident_id  TEXT NOT NULL REFERENCES incident (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    date         TEXT,
    victims_low  INTEGER,
    victims_best INTEGER,
    victims_high INTEGER,
    summary      TEXT NOT NULL,
    UNIQUE (incident_id, position)
);

-- Non-identifying attributes only; identity lives in person_identity.
CREATE TABLE person (
    id              TEXT PRIMARY KEY NOT NULL REFERENCES citable (id),
    sex             TEXT,
    birth_year      INTEGER,
    age_group       TEXT,
    origin_place_id TEXT REFERENCES place (id),
    category        TEXT,
    consent_public  INTEGER NOT NULL CHECK (consent_public IN (0, 1)),
    confidentiality TEXT NOT NULL CHECK (confidentiality IN ('public', 'restricted', 'confidential'))
);

-- What identifies a person, kept apart and only ever sealed: XChaCha20-Poly1305
-- under the data key of version key_version, bound to the person's id.
CREATE TABLE person_identity (
    person_id   TEXT PRIMARY KEY NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    key_version INTEGER NOT NULL,
    nonce       BLOB NOT NULL,
    ciphertext  BLOB NOT NULL
);
CREATE INDEX person_identity_key_version ON person_identity (key_version);

CREATE TABLE person_status (
    person_id   TEXT NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    date        TEXT NOT NULL,
    status      TEXT NOT NULL,
    place_id    TEXT REFERENCES place (id),
    incident_id TEXT REFERENCES incident (id),
    PRIMARY KEY (person_id, position)
);

CREATE TABLE person_incident (
    person_id   TEXT NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    incident_id TEXT NOT NULL REFERENCES incident (id),
    role        TEXT NOT NULL,
    PRIMARY KEY (person_id, position)
);
CREATE INDEX person_incident_incident ON person_incident (incident_id);

CREATE TABLE upr_review (
    id     TEXT PRIMARY KEY NOT NULL REFERENCES citable (id),
    cycle  INTEGER NOT NULL,
    date   TEXT NOT NULL,
    symbol TEXT
);

CREATE TABLE mechanism (
    id             TEXT PRIMARY KEY NOT NULL REFERENCES citable (id),
    kind           TEXT NOT NULL CHECK (kind IN ('upr_recommendation', 'treaty_observation', 'communication', 'coi_recommendation', 'resolution')),
    reference      TEXT,
    date           TEXT NOT NULL,
    text           TEXT NOT NULL,
    review_id      TEXT REFERENCES upr_review (id),
    paragraph      TEXT,
    state          TEXT,
    response       TEXT,
    body           TEXT,
    reply_received INTEGER,
    vote_yes       INTEGER,
    vote_no        INTEGER,
    vote_abstain   INTEGER,
    china_vote     TEXT
);

CREATE TABLE mechanism_theme (
    mechanism_id TEXT NOT NULL REFERENCES mechanism (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    theme        TEXT NOT NULL,
    PRIMARY KEY (mechanism_id, position)
);

CREATE TABLE mechanism_mandate_holder (
    mechanism_id TEXT NOT NULL REFERENCES mechanism (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    holder       TEXT NOT NULL,
    PRIMARY KEY (mechanism_id, position)
);

CREATE TABLE mechanism_incident (
    mechanism_id TEXT NOT NULL REFERENCES mechanism (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    incident_id  TEXT NOT NULL REFERENCES incident (id),
    PRIMARY KEY (mechanism_id, position)
);
CREATE INDEX mechanism_incident_incident ON mechanism_incident (incident_id);

CREATE TABLE figure (
    id         TEXT PRIMARY KEY NOT NULL REFERENCES citable (id),
    indicator  TEXT NOT NULL,
    period     TEXT NOT NULL,
    place_id   TEXT REFERENCES place (id),
    value_low  INTEGER NOT NULL,
    value_best INTEGER,
    value_high INTEGER,
    unit       TEXT NOT NULL
);

CREATE TABLE citation (
    id            TEXT PRIMARY KEY NOT NULL,
    subject_id    TEXT NOT NULL REFERENCES citable (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    source_id     TEXT NOT NULL REFERENCES source (id),
    via_source_id TEXT REFERENCES source (id),
    locator       TEXT NOT NULL,
    quote         TEXT NOT NULL,
    note          TEXT,
    UNIQUE (subject_id, position)
);
CREATE INDEX citation_source ON citation (source_id);
