-- Texts of the citizen site that the city edits (notices, the completion
-- text, items-to-bring notes, the help line's hours). Only texts changed
-- from the built-in default are stored; removing a row restores the
-- default. Timestamps are Unix milliseconds. Every change bumps the
-- "site_texts_version" setting, which each instance compares per request
-- to know when its cached copy is stale.
CREATE TABLE site_texts (
    key        TEXT   NOT NULL,
    lang       TEXT   NOT NULL CHECK (lang IN ('ja', 'en')),
    body       TEXT   NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT   NOT NULL,
    PRIMARY KEY (key, lang)
);

-- The proof-of-work challenges of the booking form that were spent, so a
-- solved challenge passes once, on whichever instance it arrives. Rows
-- are dropped once the challenge has expired anyway.
CREATE TABLE challenge_uses (
    nonce      TEXT   PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
CREATE INDEX challenge_uses_expires ON challenge_uses (expires_at);
