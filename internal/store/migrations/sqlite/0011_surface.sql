-- Card surface updates (券面更新 / 追記欄). Timestamps are Unix milliseconds,
-- dates YYYY-MM-DD.

-- surface_updates: one change written (or to be written) on a card's face
-- and chip: an address, a name or the expiry date, with the value before
-- and after (detail: the postal code with an address, the kana with a
-- name; empty for an expiry date). A pending update is registered when the resident reports the
-- change and marks the card until it is written; done is when staff wrote
-- it on the card (requested_date may then equal done_date); withdrawn is a
-- registration made by mistake or no longer wanted. At most one pending
-- update per card and kind.
CREATE TABLE surface_updates (
    id             INTEGER PRIMARY KEY,
    card_id        BIGINT NOT NULL REFERENCES cards (id),
    kind           TEXT   NOT NULL CHECK (kind IN ('address', 'name', 'expiry')),
    old_value      TEXT   NOT NULL,
    new_value      TEXT   NOT NULL,
    old_detail     TEXT   NOT NULL DEFAULT '',
    new_detail     TEXT   NOT NULL DEFAULT '',
    state          TEXT   NOT NULL CHECK (state IN ('pending', 'done', 'withdrawn')),
    requested_date TEXT   NOT NULL,
    done_date      TEXT   NOT NULL DEFAULT '',
    note           TEXT   NOT NULL DEFAULT '',
    registered_at  BIGINT NOT NULL,
    registrar_id   BIGINT,
    registrar      TEXT   NOT NULL,
    closed_at      BIGINT,
    closer_id      BIGINT,
    closer         TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX surface_updates_card ON surface_updates (card_id, id);
CREATE INDEX surface_updates_state ON surface_updates (state, requested_date);
CREATE UNIQUE INDEX surface_updates_pending ON surface_updates (card_id, kind) WHERE state = 'pending';
