-- Mail: the outbox of booking mails (confirmation, change, cancellation,
-- reminder). A row is written in the transaction that changes the booking
-- and sent later by a worker, so a booking and its mail commit together and
-- a mail survives restarts. Timestamps are Unix milliseconds.

-- mail_outbox: one message to one address. status is pending until sent,
-- failed when the worker gave up (last_error says why), cancelled when a
-- later change made it moot (a reminder of a cancelled booking). A worker
-- leases a pending row by setting claimed_by and claimed_until; a lease
-- that runs out without a sent mark makes the row due again. dedupe_key
-- (NULL for most rows) queues a reminder once per booking and start.
-- booking_id is a plain reference, not a foreign key, so that booking data
-- can be purged independently of the mail log.
CREATE TABLE mail_outbox (
    id            INTEGER PRIMARY KEY,
    kind          TEXT    NOT NULL CHECK (kind IN ('confirmation', 'change', 'cancellation', 'reminder')),
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
CREATE UNIQUE INDEX mail_outbox_dedupe ON mail_outbox (dedupe_key);
CREATE INDEX mail_outbox_due ON mail_outbox (status, not_before);
CREATE INDEX mail_outbox_booking ON mail_outbox (booking_id, kind, status);
