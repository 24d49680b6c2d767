-- 申請時来庁方式: the resident came when applying (identity checked, PIN
-- form handed in) and the card is sent by registered mail. Dates are TEXT
-- 'YYYY-MM-DD'; timestamps are Unix milliseconds.

-- app_visits: the application visit, one per 申請書ID. It is keyed by the
-- application ID because the visit comes before the card is in the ledger.
-- items_returned lists what was handed back then (comma separated).
CREATE TABLE app_visits (
    application_id    TEXT    PRIMARY KEY,
    visit_date        TEXT    NOT NULL,
    identity_checked  BOOLEAN NOT NULL DEFAULT FALSE,
    identity_document TEXT    NOT NULL DEFAULT '',
    pin_form_received BOOLEAN NOT NULL DEFAULT FALSE,
    items_returned    TEXT    NOT NULL DEFAULT '',
    note              TEXT    NOT NULL DEFAULT '',
    actor_id          BIGINT,
    actor             TEXT    NOT NULL,
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL
);

-- card_mailings: each registered mailing of a card with its tracking
-- number and how it ended: delivered, or returned (date and reason).
CREATE TABLE card_mailings (
    id              INTEGER PRIMARY KEY,
    card_id         BIGINT NOT NULL REFERENCES cards (id),
    mailed_date     TEXT   NOT NULL,
    tracking_number TEXT   NOT NULL,
    outcome         TEXT   NOT NULL DEFAULT '' CHECK (outcome IN ('', 'delivered', 'returned')),
    outcome_date    TEXT   NOT NULL DEFAULT '',
    return_reason   TEXT   NOT NULL DEFAULT '',
    note            TEXT   NOT NULL DEFAULT '',
    actor_id        BIGINT,
    actor           TEXT   NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX card_mailings_card ON card_mailings (card_id, id);
CREATE UNIQUE INDEX card_mailings_tracking ON card_mailings (tracking_number);
