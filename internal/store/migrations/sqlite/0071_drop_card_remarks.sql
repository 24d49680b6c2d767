-- The cards' remarks moved to their residents in 0070.
ALTER TABLE cards DROP COLUMN remarks;
