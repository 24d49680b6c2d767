-- Uncollected cards: what was mailed and what came back, holds on
-- disposal, and the two-person disposal record. Dates are TEXT
-- 'YYYY-MM-DD' as staff enter them; timestamps are Unix milliseconds.

-- card_postings: each mailing of a card's notice (or, for 申請時来庁, of the
-- card itself) and each return by the post office, oldest first. kind is
-- notice (first mailing), resend (to a new address after a return),
-- renotice (再通知) or return. The address is where that mailing went, so
-- the rows are the card's address history; a return has a reason instead.
CREATE TABLE card_postings (
    id          INTEGER PRIMARY KEY,
    card_id     BIGINT NOT NULL REFERENCES cards (id),
    kind        TEXT   NOT NULL CHECK (kind IN ('notice', 'resend', 'renotice', 'return')),
    posted_date TEXT   NOT NULL,
    postal_code TEXT   NOT NULL DEFAULT '',
    address     TEXT   NOT NULL DEFAULT '',
    reason      TEXT   NOT NULL DEFAULT '',
    note        TEXT   NOT NULL DEFAULT '',
    actor_id    BIGINT,
    actor       TEXT   NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX card_postings_card ON card_postings (card_id, kind, id);

-- disposal_holds: a resident asked the city to keep the card (long hospital
-- stay...). While until_date is today or later the card is not due for
-- disposal and cannot be disposed of. One hold per card; lifting it deletes
-- the row (the card's history keeps it).
CREATE TABLE disposal_holds (
    card_id    BIGINT PRIMARY KEY REFERENCES cards (id),
    reason     TEXT   NOT NULL,
    until_date TEXT   NOT NULL,
    actor_id   BIGINT,
    actor      TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);

-- disposals: one staff member proposes (the card goes to disposal_pending),
-- a different one confirms (the card goes to disposed). The confirmation
-- columns stay NULL until then.
CREATE TABLE disposals (
    card_id       BIGINT PRIMARY KEY REFERENCES cards (id),
    rule          TEXT   NOT NULL DEFAULT '',
    proposed_at   BIGINT NOT NULL,
    proposer_id   BIGINT,
    proposer      TEXT   NOT NULL,
    proposal_note TEXT   NOT NULL DEFAULT '',
    method        TEXT   NOT NULL DEFAULT '' CHECK (method IN ('', 'shred', 'dissolve', 'other')),
    disposed_date TEXT,
    confirmed_at  BIGINT,
    confirmer_id  BIGINT,
    confirmer     TEXT   NOT NULL DEFAULT '',
    note          TEXT   NOT NULL DEFAULT ''
);

-- The dashboard counts moves into a status over time (issuance per day).
CREATE INDEX card_events_to_status ON card_events (to_status, at);
