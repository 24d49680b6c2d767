-- Encryption at rest (see internal/fieldcrypt). Personal fields are stored
-- sealed (AES-256-GCM, "enc1:<key id>:<base64>"), so the database files and
-- backups hold no readable name or address. residents.name_key and kana_key
-- stay as columns but hold the sealed normalised keys; the B-tree on
-- kana_key would only sort ciphertext and goes.
DROP INDEX residents_kana_key;

-- card_search now holds keyed hashes (HMAC-SHA256 cut to 64 bits) of the
-- 1- to 3-character pieces of each resident's normalised name and the 2-
-- and 3-character pieces of the reading, instead of plaintext suffixes. A
-- search looks up the pieces of the query, keeps the cards that have all of
-- them, then checks and sorts the decrypted names of those candidates.
-- Rows of an older table are rebuilt by kofu keys rotate.
DROP TABLE card_search;
CREATE TABLE card_search (
    token   BIGINT NOT NULL,
    card_id BIGINT NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    PRIMARY KEY (token, card_id)
) WITHOUT ROWID;

-- card_names holds each card's resident's sealed search keys (copies of
-- residents.name_key and kana_key), so that checking and ordering the
-- candidates of a name search reads one narrow row per card instead of
-- joining the card, its application and its resident.
CREATE TABLE card_names (
    card_id  INTEGER PRIMARY KEY REFERENCES cards (id) ON DELETE CASCADE,
    name_key TEXT NOT NULL,
    kana_key TEXT NOT NULL
);
