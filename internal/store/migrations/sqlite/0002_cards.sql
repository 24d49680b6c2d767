-- Card ledger: residents, applications, cards and each card's history.
-- The 12-digit 個人番号 is never stored: no column may hold it.
-- Dates are TEXT 'YYYY-MM-DD'; timestamps are Unix milliseconds.

-- residents: the person an application is for, as the city knows them.
-- name_key and kana_key are search keys derived by the store (moji.NameKey,
-- moji.KanaKey); name and name_kana keep every character as received.
CREATE TABLE residents (
    id              INTEGER PRIMARY KEY,
    resident_number TEXT UNIQUE,
    name            TEXT    NOT NULL,
    name_kana       TEXT    NOT NULL DEFAULT '',
    name_key        TEXT    NOT NULL DEFAULT '',
    kana_key        TEXT    NOT NULL DEFAULT '',
    birth_date      TEXT    NOT NULL,
    sex             TEXT    NOT NULL DEFAULT '' CHECK (sex IN ('', 'male', 'female')),
    postal_code     TEXT    NOT NULL DEFAULT '',
    address         TEXT    NOT NULL DEFAULT '',
    has_gaiji       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);
CREATE INDEX residents_kana_key ON residents (kana_key);
CREATE INDEX residents_birth_date ON residents (birth_date);

-- applications: one per 申請書ID (23 digits); the method is fixed here.
CREATE TABLE applications (
    id             INTEGER PRIMARY KEY,
    application_id TEXT    NOT NULL UNIQUE CHECK (length(application_id) = 23),
    resident_id    BIGINT  NOT NULL REFERENCES residents (id),
    method         TEXT    NOT NULL CHECK (method IN ('counter', 'at_application')),
    fast_track     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     BIGINT  NOT NULL
);
CREATE INDEX applications_resident ON applications (resident_id);

-- cards: one physical card. A replacement for a defective card is a new
-- row for the same application. version counts updates (optimistic locks).
-- held_from is the status a card on hold returns to.
CREATE TABLE cards (
    id               INTEGER PRIMARY KEY,
    application_ref  BIGINT  NOT NULL REFERENCES applications (id),
    notice_number    TEXT    UNIQUE,
    issue_date       TEXT,
    expiry_date      TEXT,
    certificate      BOOLEAN,
    delivery_date    TEXT,
    box              TEXT    NOT NULL DEFAULT '',
    storage_location TEXT    NOT NULL DEFAULT '',
    status           TEXT    NOT NULL,
    held_from        TEXT,
    cancel_reason    TEXT,
    flags            TEXT    NOT NULL DEFAULT '',
    remarks          TEXT    NOT NULL DEFAULT '',
    raw_row          BLOB,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX cards_application ON cards (application_ref);
CREATE INDEX cards_status ON cards (status);
CREATE INDEX cards_delivery_date ON cards (delivery_date);
CREATE INDEX cards_box ON cards (box);
CREATE INDEX cards_storage_location ON cards (storage_location);

-- card_search holds every suffix, cut to 4 characters, of the name_key
-- and kana_key of each card's resident, with the kana_key to sort by. A
-- substring search for K is a range scan fragment >= K AND fragment < K'
-- on the primary key: its cost grows with the number of matches, not with
-- the size of the ledger, and it serves 1- and 2-character kanji as well as
-- kana (pg_trgm needs 3 characters; FTS5 adds SQLite-only tables). With
-- kana_key in the key, the count and the first page of a name search in
-- kana order come from this index alone. Rows are kept by the store and
-- removed by their full key, so card_id needs no index of its own (cards
-- are never deleted in normal use; the cascade keeps a deletion correct).
CREATE TABLE card_search (
    fragment TEXT NOT NULL,
    kana_key TEXT NOT NULL,
    card_id  BIGINT NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    PRIMARY KEY (fragment, kana_key, card_id)
) WITHOUT ROWID;

-- card_events: every status change and edit of a card, oldest first.
CREATE TABLE card_events (
    id          INTEGER PRIMARY KEY,
    card_id     BIGINT NOT NULL REFERENCES cards (id),
    at          BIGINT NOT NULL,
    actor_id    BIGINT,
    actor       TEXT   NOT NULL,
    kind        TEXT   NOT NULL,
    from_status TEXT,
    to_status   TEXT,
    field       TEXT   NOT NULL DEFAULT '',
    old_value   TEXT   NOT NULL DEFAULT '',
    new_value   TEXT   NOT NULL DEFAULT '',
    reason      TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX card_events_card ON card_events (card_id, id);
