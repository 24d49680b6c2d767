-- The indexes of the keyed hashes that 0016 added and filled. A value
-- hashed under the key being retired and the same value under the new key
-- differ, so uniqueness holds within one key; lookups ask for the hashes
-- under every key of the keyring.
CREATE UNIQUE INDEX residents_number_hash ON residents (number_hash);
CREATE INDEX residents_birth_hash ON residents (birth_hash);
CREATE UNIQUE INDEX cards_notice_hash ON cards (notice_hash);
CREATE UNIQUE INDEX register_residents_number_hash ON register_residents (number_hash);
CREATE INDEX register_residents_birth_hash ON register_residents (birth_hash);
CREATE UNIQUE INDEX stocktake_scans_notice_hash ON stocktake_scans (stocktake_id, notice_hash);
