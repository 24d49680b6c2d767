-- notice_batches: a wave of notices (交付通知書と案内, 再通知, 返戻後の再送)
-- whose cards are fixed when it is made. Printing only reads it (and is
-- audited); confirming "sent" records the mailing date once (sent_date
-- stays NULL until then).
-- Timestamps are Unix milliseconds.
CREATE TABLE notice_batches (
    id         INTEGER PRIMARY KEY,
    kind       TEXT    NOT NULL CHECK (kind IN ('guide', 'reminder', 'resend')),
    cards      INTEGER NOT NULL,
    held       INTEGER NOT NULL,
    created_at BIGINT  NOT NULL,
    created_by TEXT    NOT NULL,
    sent_date  TEXT,
    sent_at    BIGINT,
    sent_by    TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX notice_batches_sent ON notice_batches (sent_date, id);

-- notice_batch_cards: the cards of a batch in print order (a household's
-- cards next to each other). A card that cannot be printed is kept with
-- the reason it was held out, and is neither printed nor confirmed.
CREATE TABLE notice_batch_cards (
    batch_id    BIGINT  NOT NULL REFERENCES notice_batches (id),
    card_id     BIGINT  NOT NULL REFERENCES cards (id),
    position    INTEGER NOT NULL,
    held_reason TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (batch_id, card_id)
);
CREATE INDEX notice_batch_cards_order ON notice_batch_cards (batch_id, position);
CREATE INDEX notice_batch_cards_card ON notice_batch_cards (card_id);

-- population: the city's population per month (住民基本台帳人口), entered
-- by staff, the denominator of the 交付率.
CREATE TABLE population (
    month      TEXT    PRIMARY KEY,
    residents  INTEGER NOT NULL CHECK (residents > 0),
    updated_at BIGINT  NOT NULL,
    updated_by TEXT    NOT NULL
);
