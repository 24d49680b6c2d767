-- The counter day (issue #17): numbered tickets for residents who checked
-- in, the calls of the desks, and the kiosks and displays that may act
-- for one place. Timestamps are Unix milliseconds; day is the local date
-- (YYYY-MM-DD) in the city's zone.

-- counter_days: per place and day, the last ticket number handed out and
-- a sequence bumped at every call. Issuing and calling take this row's
-- lock, so numbers are never handed out twice and calls never race; the
-- displays poll call_seq to learn cheaply that something changed.
CREATE TABLE counter_days (
    place       TEXT    NOT NULL,
    day         TEXT    NOT NULL,
    last_number INTEGER NOT NULL DEFAULT 0,
    call_seq    BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (place, day)
);

-- tickets: one per checked-in booking (or walk-in) and day. label is what
-- the resident reads ("A012"). call_seq is the place's call_seq at the
-- ticket's last call; the display orders the calls by it.
CREATE TABLE tickets (
    id         INTEGER PRIMARY KEY,
    place      TEXT    NOT NULL,
    day        TEXT    NOT NULL,
    number     INTEGER NOT NULL,
    label      TEXT    NOT NULL,
    booking_id BIGINT  REFERENCES bookings (id),
    status     TEXT    NOT NULL CHECK (status IN ('waiting', 'called', 'absent', 'done')),
    desk       TEXT    NOT NULL DEFAULT '',
    calls      INTEGER NOT NULL DEFAULT 0,
    call_seq   BIGINT  NOT NULL DEFAULT 0,
    issued_at  BIGINT  NOT NULL,
    issued_by  TEXT    NOT NULL,
    called_at  BIGINT,
    done_at    BIGINT,
    UNIQUE (place, day, number)
);
CREATE UNIQUE INDEX tickets_booking ON tickets (booking_id) WHERE booking_id IS NOT NULL;
CREATE INDEX tickets_queue ON tickets (place, day, status, number);
CREATE INDEX tickets_calls ON tickets (place, day, call_seq);

-- counter_devices: a kiosk (self check-in) or a display (the waiting
-- room's call screen) registered by an admin for one place. token_hash is
-- the SHA-256 of its credential, never the credential itself.
CREATE TABLE counter_devices (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('kiosk', 'display')),
    place        TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    created_at   BIGINT  NOT NULL,
    created_by   TEXT    NOT NULL,
    revoked_at   BIGINT,
    last_used_at BIGINT  NOT NULL DEFAULT 0
);
