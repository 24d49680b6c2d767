-- Identifiers and notes sealed (issue #15). A copied database file must
-- not give what the public site asks to manage a booking (notice number
-- and birth date), nor the 宛名番号, sex, remarks and notes of residents.
-- These columns now hold sealed values ("enc1:...", see fieldcrypt), as
-- the names do: residents.resident_number, birth_date and sex,
-- cards.notice_number and remarks, booking_people.notice_number and note,
-- register_residents.resident_number, birth_date and sex,
-- cancellation_proposals.resident_number, stocktake_scans.notice_number,
-- surface_updates.note and imports.report (it quotes rejected lines).
-- The store seals the rows already there in this migration's transaction,
-- right after this file (see sealMigration): a database is never half
-- sealed once it is at this version.
--
-- Exact lookups use keyed hashes (blind indexes, HMAC-SHA256 under the
-- data key cut to 64 bits) kept next to the sealed value: *_hash columns.
-- Their unique and lookup indexes come in 0017, once the hashes are filled.
ALTER TABLE residents ADD COLUMN number_hash BIGINT;
ALTER TABLE residents ADD COLUMN birth_hash BIGINT;
DROP INDEX residents_birth_date;
-- residents.sex had a CHECK on its readable values: the column is made
-- again without it (a sealed one-letter code from now on).
ALTER TABLE residents RENAME COLUMN sex TO sex_plain;
ALTER TABLE residents ADD COLUMN sex TEXT NOT NULL DEFAULT '';
UPDATE residents SET sex = sex_plain;
ALTER TABLE residents DROP COLUMN sex_plain;

ALTER TABLE cards ADD COLUMN notice_hash BIGINT;

ALTER TABLE register_residents ADD COLUMN number_hash BIGINT;
ALTER TABLE register_residents ADD COLUMN birth_hash BIGINT;
DROP INDEX register_residents_birth;

ALTER TABLE stocktake_scans ADD COLUMN notice_hash BIGINT;
