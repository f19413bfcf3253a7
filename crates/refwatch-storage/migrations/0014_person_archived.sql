-- A person at risk archived with a reason (a record entered twice, say):
-- their row, links and sealed identity stay where they are, so that the
-- identity is never written anywhere else and is resealed with the rest
-- when keys rotate; an archived person is left out of every read of the
-- records until a version of them is restored.
ALTER TABLE person ADD COLUMN archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1));
