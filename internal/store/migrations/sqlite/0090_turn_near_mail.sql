-- The mail when a resident's turn is near (issue #17, item 5). A ticket
-- of a booking with an e-mail address may ask for one mail when few are
-- ahead: near_mail is '' (not asked), 'asked', or 'queued' once the mail
-- went to the outbox. The mark is set in the call's transaction, which
-- holds the place's counter row, so it is never queued twice.
ALTER TABLE tickets ADD COLUMN near_mail TEXT NOT NULL DEFAULT ''
    CHECK (near_mail IN ('', 'asked', 'queued'));

-- The outbox takes the new kind of mail. SQLite cannot change a CHECK, so
-- the table is rebuilt with the same rows (their IDs, which the sealed
-- columns are bound to, stay).
CREATE TABLE mail_outbox_new (
    id            INTEGER PRIMARY KEY,
    kind          TEXT    NOT NULL CHECK (kind IN ('confirmation', 'change', 'cancellation', 'reminder', 'turn_near')),
    booking_id    BIGINT  NOT NULL DEFAULT 0,
    booking_code  TEXT    NOT NULL DEFAULT '',
    to_addr       TEXT    NOT NULL,
    subject       TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    ics           TEXT    NOT NULL DEFAULT '',
    dedupe_key    TEXT,
    status        TEXT    NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
    not_before    BIGINT  NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT    NOT NULL DEFAULT '',
    sent_at       BIGINT,
    claimed_by    TEXT    NOT NULL DEFAULT '',
    claimed_until BIGINT,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL
);
INSERT INTO mail_outbox_new SELECT id, kind, booking_id, booking_code, to_addr, subject, body, ics, dedupe_key,
    status, not_before, attempts, last_error, sent_at, claimed_by, claimed_until, created_at, updated_at FROM mail_outbox;
DROP TABLE mail_outbox;
ALTER TABLE mail_outbox_new RENAME TO mail_outbox;
CREATE UNIQUE INDEX mail_outbox_dedupe ON mail_outbox (dedupe_key);
CREATE INDEX mail_outbox_due ON mail_outbox (status, not_before);
CREATE INDEX mail_outbox_booking ON mail_outbox (booking_id, kind, status);
