-- When each record edited one at a time first came in (by import or
-- created in the browser or the API): what "as of a past date" starts
-- from, with the versions kept in record_version. A record put back after
-- a change keeps its first time. Records stored before this table have
-- none and are taken to have been there all along.
CREATE TABLE record_recorded (
    kind TEXT NOT NULL,
    id   TEXT NOT NULL,
    at   INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;
