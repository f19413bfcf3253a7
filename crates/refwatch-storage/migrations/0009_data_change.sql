-- What each raise of the data version changed, so that a reader holding a
-- copy of the records can bring it up to date by what changed instead of
-- reading everything again. One row per incident changed; a row without an
-- incident means "anything may have changed". Only recent versions are
-- kept: a reader further behind reads everything.
CREATE TABLE data_change (
    version INTEGER NOT NULL,
    incident_id TEXT
);
CREATE INDEX data_change_version ON data_change (version);
