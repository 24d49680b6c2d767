-- The resident-register (住基) extract and the cancellations it proposes.

-- register_residents: the latest extract, one row per 宛名番号. It is the
-- city's register, kept apart from the ledger's residents (applicants).
CREATE TABLE register_residents (
    resident_number TEXT PRIMARY KEY,
    name            TEXT    NOT NULL,
    name_kana       TEXT    NOT NULL DEFAULT '',
    birth_date      TEXT    NOT NULL,
    sex             TEXT    NOT NULL DEFAULT '',
    address         TEXT    NOT NULL DEFAULT '',
    juki_card       BOOLEAN NOT NULL DEFAULT FALSE,
    status          TEXT    NOT NULL,
    moved_on        TEXT    NOT NULL DEFAULT '',
    updated_at      BIGINT  NOT NULL
);
CREATE INDEX register_residents_birth ON register_residents (birth_date);

-- cancellation_proposals: a card whose owner died or moved out, waiting
-- for staff to confirm or dismiss. Nothing is cancelled automatically.
CREATE TABLE cancellation_proposals (
    id              INTEGER PRIMARY KEY,
    card_id         BIGINT NOT NULL UNIQUE REFERENCES cards (id),
    resident_number TEXT   NOT NULL,
    reason          TEXT   NOT NULL,
    status          TEXT   NOT NULL DEFAULT 'proposed',
    created_at      BIGINT NOT NULL,
    decided_by      TEXT   NOT NULL DEFAULT '',
    decided_at      BIGINT
);
