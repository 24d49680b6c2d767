-- Storage places and stock-taking (棚卸). Timestamps are Unix milliseconds.

-- storage_places: the cabinets, shelves and boxes cards are kept in, as a
-- tree. path is the names from the top joined with "-" and is exactly what
-- cards.storage_location holds for a card kept there, so the ledger stays
-- the one record of where each card is. capacity 0 means no limit; position
-- orders siblings (the order suggestions follow).
CREATE TABLE storage_places (
    id         INTEGER PRIMARY KEY,
    parent_id  BIGINT REFERENCES storage_places (id),
    name       TEXT    NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('cabinet', 'shelf', 'box')),
    path       TEXT    NOT NULL UNIQUE,
    capacity   INTEGER NOT NULL DEFAULT 0 CHECK (capacity >= 0),
    position   INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL
);
CREATE INDEX storage_places_parent ON storage_places (parent_id, position, name);

-- stocktakes: one stock-taking session of a place (and the places below
-- it). At most one session per place is open; staff on several PCs scan
-- into the same one.
CREATE TABLE stocktakes (
    id         INTEGER PRIMARY KEY,
    place_id   BIGINT NOT NULL REFERENCES storage_places (id),
    place_path TEXT   NOT NULL,
    status     TEXT   NOT NULL CHECK (status IN ('open', 'closed')),
    started_at BIGINT NOT NULL,
    starter_id BIGINT,
    starter    TEXT   NOT NULL,
    closed_at  BIGINT,
    closer     TEXT   NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX stocktakes_open ON stocktakes (place_id) WHERE status = 'open';

-- stocktake_scans: each notice number scanned in a session, once. card_id
-- is the card the number belonged to at scan time (NULL: not in the ledger).
CREATE TABLE stocktake_scans (
    id            INTEGER PRIMARY KEY,
    stocktake_id  BIGINT NOT NULL REFERENCES stocktakes (id),
    notice_number TEXT   NOT NULL,
    card_id       BIGINT REFERENCES cards (id),
    scanned_at    BIGINT NOT NULL,
    actor_id      BIGINT,
    actor         TEXT   NOT NULL,
    UNIQUE (stocktake_id, notice_number)
);
