-- Card reissues (再交付) and the fees received for them. Timestamps are Unix
-- milliseconds; dates are TEXT 'YYYY-MM-DD' in the city's time zone.

-- reissues: one reissue registered at the counter, for a resident (and the
-- card it replaces, when known). The fee is computed from the fee settings
-- when the reissue is registered and stored here, so later changes to the
-- settings never change a past receipt. A chargeable reissue gets a receipt
-- number (unique; free ones have none). A record is never deleted: a
-- mistake is voided (取消) with a reason and stays in the daily report.
CREATE TABLE reissues (
    id                 INTEGER PRIMARY KEY,
    resident_id        BIGINT  NOT NULL REFERENCES residents (id),
    card_id            BIGINT  REFERENCES cards (id),
    reason             TEXT    NOT NULL,
    reason_detail      TEXT    NOT NULL DEFAULT '',
    chargeable         BOOLEAN NOT NULL,
    free_reason        TEXT    NOT NULL DEFAULT '',
    free_detail        TEXT    NOT NULL DEFAULT '',
    certificate        BOOLEAN NOT NULL,
    fast_track         BOOLEAN NOT NULL,
    fee_type           TEXT    NOT NULL CHECK (fee_type IN ('standard', 'standard_no_cert', 'fast_track', 'fast_track_no_cert', 'free')),
    card_amount        INTEGER NOT NULL CHECK (card_amount >= 0),
    certificate_amount INTEGER NOT NULL CHECK (certificate_amount >= 0),
    amount             INTEGER NOT NULL CHECK (amount = card_amount + certificate_amount),
    receipt_number     TEXT    UNIQUE,
    received_on        TEXT    NOT NULL,
    created_at         BIGINT  NOT NULL,
    actor_id           BIGINT,
    actor              TEXT    NOT NULL,
    request_key        TEXT    UNIQUE,
    voided             BOOLEAN NOT NULL DEFAULT FALSE,
    void_reason        TEXT    NOT NULL DEFAULT '',
    voided_on          TEXT,
    voided_at          BIGINT,
    voider_id          BIGINT,
    voider             TEXT    NOT NULL DEFAULT '',
    CHECK (chargeable = (receipt_number IS NOT NULL)),
    CHECK (chargeable OR amount = 0)
);
CREATE INDEX reissues_resident ON reissues (resident_id, id);
CREATE INDEX reissues_received_on ON reissues (received_on, id);
CREATE INDEX reissues_voided_on ON reissues (voided_on);

-- receipt_counters: the last receipt number used in each fiscal year
-- (April to March). It is raised in the transaction that stores the
-- reissue, so numbers have no gaps and no duplicates.
CREATE TABLE receipt_counters (
    fiscal_year INTEGER PRIMARY KEY,
    last_number INTEGER NOT NULL
);
