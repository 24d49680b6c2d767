-- receptions: the 交付受付確認票 of a booked person (issue #17, item 7).
-- mode says how it was taken: signed with a finger on the desk's tablet,
-- or on the paper form as before. ticks holds, sealed (enc2:, bound to
-- the person's row), the confirmation's items the resident ticked and the
-- documents they brought, as JSON. The signature itself is a document of
-- kind receipt on the card (document_id): sealed, audited, backed up,
-- rotated, verified and retained like every document. One row per booked
-- person: confirming again replaces it, the earlier signature stays a
-- document of the card. Timestamps are Unix milliseconds.
CREATE TABLE receptions (
    person_id   BIGINT  PRIMARY KEY REFERENCES booking_people (id),
    booking_id  BIGINT  NOT NULL REFERENCES bookings (id),
    card_id     BIGINT  REFERENCES cards (id),
    mode        TEXT    NOT NULL CHECK (mode IN ('signed', 'paper')),
    document_id BIGINT  REFERENCES documents (id),
    ticks       TEXT    NOT NULL DEFAULT '',
    created_at  BIGINT  NOT NULL,
    created_by  TEXT    NOT NULL
);
CREATE INDEX receptions_booking ON receptions (booking_id);
CREATE INDEX receptions_card ON receptions (card_id);
