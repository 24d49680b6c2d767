-- Remarks belong to the resident (市民個人の備考), not to one card: a
-- reissued card of the same person shows them too. The value is sealed
-- for its resident row like the other personal fields; the Go step of
-- this migration moves the cards' remarks here (see moveCardRemarks) and
-- 0071 drops the cards' column.
ALTER TABLE residents ADD COLUMN remarks TEXT NOT NULL DEFAULT '';
