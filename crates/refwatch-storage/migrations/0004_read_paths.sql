-- A counter that every transaction changing records raises by one, so that
-- a reader holding a copy of the records (the server's read snapshot) can
-- tell with one tiny query whether its copy is still current, whichever
-- process made the change.
CREATE TABLE data_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO data_version (id, version) VALUES (1, 0);

-- Recent activity on one kind of record (the overview's latest changes)
-- reads the log's tail by kind, newest first, without scanning it all.
CREATE INDEX audit_log_kind ON audit_log (target_kind, seq);
