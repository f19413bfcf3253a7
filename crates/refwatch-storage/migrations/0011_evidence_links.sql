-- Evidence files linked to the incidents and persons they bear on. A link
-- is a row of its own (the file and the record stay as they are); linking
-- and unlinking are audited. An incident or person with evidence linked is
-- not archived while the link stands.
CREATE TABLE evidence_link (
    evidence_id TEXT NOT NULL REFERENCES evidence (id),
    kind        TEXT NOT NULL CHECK (kind IN ('incident', 'person')),
    record_id   TEXT NOT NULL,
    PRIMARY KEY (evidence_id, kind, record_id)
);
CREATE INDEX evidence_link_record ON evidence_link (kind, record_id);
