-- A copy of the audit log's anchor (count, head, seal) kept in the keyring's
-- row, written in the same transaction as every entry: wiping the log and
-- its anchor leaves the keyring saying how long the log was. Deleting the
-- keyring itself loses every identity, which is evident.
ALTER TABLE keyring ADD COLUMN audit_count INTEGER;
ALTER TABLE keyring ADD COLUMN audit_head TEXT;
ALTER TABLE keyring ADD COLUMN audit_seal TEXT;
