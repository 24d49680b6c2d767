-- Bookings: pickup and renewal appointments, the seats they take, and the
-- counters that limit public requests. Timestamps are Unix milliseconds;
-- slot_date is the local date of start_at (YYYY-MM-DD) in the city's zone.

-- bookings: one appointment for one or more people at one place and start.
-- A hold (status 'held') keeps its seats without people until hold_until,
-- while the resident fills in the form. code is the 8-character booking
-- code; token_hash the SHA-256 of the manage (or hold) token, never the
-- token itself. seats is what the booking takes in each of its slots.
CREATE TABLE bookings (
    id            INTEGER PRIMARY KEY,
    code          TEXT    NOT NULL UNIQUE,
    token_hash    TEXT    NOT NULL UNIQUE,
    service       TEXT    NOT NULL,
    place         TEXT    NOT NULL,
    start_at      BIGINT  NOT NULL,
    end_at        BIGINT  NOT NULL,
    slot_date     TEXT    NOT NULL,
    channel       TEXT    NOT NULL CHECK (channel IN ('web', 'phone', 'counter')),
    seats         INTEGER NOT NULL CHECK (seats > 0),
    status        TEXT    NOT NULL CHECK (status IN ('held', 'expired', 'booked', 'checked_in',
                                                      'completed', 'no_show', 'cancelled')),
    hold_until    BIGINT,
    hold_ip       TEXT    NOT NULL DEFAULT '',
    email         TEXT    NOT NULL DEFAULT '',
    phone         TEXT    NOT NULL DEFAULT '',
    checked_in_at BIGINT,
    created_at    BIGINT  NOT NULL,
    created_by    TEXT    NOT NULL,
    updated_at    BIGINT  NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX bookings_day ON bookings (place, slot_date, start_at);
CREATE INDEX bookings_status_hold ON bookings (status, hold_until);
CREATE INDEX bookings_status_date ON bookings (status, slot_date);

-- booking_slots: the base slots a booking or hold takes seats in, so that
-- releasing them does not depend on today's slot length.
CREATE TABLE booking_slots (
    booking_id BIGINT NOT NULL REFERENCES bookings (id),
    slot_start BIGINT NOT NULL,
    PRIMARY KEY (booking_id, slot_start)
);

-- booking_people: who a booking is for. A pickup person names a card; a
-- renewal person is known by name, kana and birth date only. person_key
-- identifies the resident within a service. The partial unique indexes
-- allow one active booking per card and per service and resident.
CREATE TABLE booking_people (
    id             INTEGER PRIMARY KEY,
    booking_id     BIGINT  NOT NULL REFERENCES bookings (id),
    seq            INTEGER NOT NULL,
    service        TEXT    NOT NULL,
    card_id        BIGINT  REFERENCES cards (id),
    person_key     TEXT    NOT NULL,
    notice_number  TEXT    NOT NULL DEFAULT '',
    name           TEXT    NOT NULL DEFAULT '',
    name_kana      TEXT    NOT NULL DEFAULT '',
    birth_date     TEXT    NOT NULL DEFAULT '',
    status         TEXT    NOT NULL CHECK (status IN ('active', 'issued', 'served', 'no_show', 'cancelled')),
    done_at        BIGINT,
    done_by        TEXT    NOT NULL DEFAULT '',
    attendance     TEXT    NOT NULL DEFAULT '',
    documents      TEXT    NOT NULL DEFAULT '[]',
    items_returned TEXT    NOT NULL DEFAULT '[]',
    note           TEXT    NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX booking_people_one_per_card ON booking_people (card_id) WHERE status = 'active';
CREATE UNIQUE INDEX booking_people_one_per_service ON booking_people (service, person_key) WHERE status = 'active';
CREATE INDEX booking_people_booking ON booking_people (booking_id, seq);
CREATE INDEX booking_people_card ON booking_people (card_id, status);

-- slot_usage: seats taken per base slot and channel. Capacity is enforced
-- by one conditional UPDATE on this row, never by a read-then-write.
CREATE TABLE slot_usage (
    place         TEXT    NOT NULL,
    slot_start    BIGINT  NOT NULL,
    taken_web     INTEGER NOT NULL DEFAULT 0 CHECK (taken_web >= 0),
    taken_phone   INTEGER NOT NULL DEFAULT 0 CHECK (taken_phone >= 0),
    taken_counter INTEGER NOT NULL DEFAULT 0 CHECK (taken_counter >= 0),
    PRIMARY KEY (place, slot_start)
);

-- rate_limits: hits per bucket (an IP, a hashed notice number) and fixed
-- window, shared by every server process.
CREATE TABLE rate_limits (
    bucket       TEXT    NOT NULL,
    window_start BIGINT  NOT NULL,
    hits         INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
CREATE INDEX rate_limits_window ON rate_limits (window_start);
