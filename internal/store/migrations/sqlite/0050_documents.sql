-- documents: scans and files kept on a card (or a booking), issue #19.
-- The content is a sealed blob (internal/document: age format, 64 KiB
-- chunks of ChaCha20-Poly1305 under a key derived from the data key and
-- bound to the document's id) cut into document_chunks rows, so a 50 MB
-- scan is written and read a chunk at a time and travels with backups.
-- A page from the scanner inbox that matched no card waits with card_id
-- NULL and its review reason until staff choose the card. A deleted
-- document keeps its row (who, when, why: sealed) and loses its chunks.
-- file_name, note and delete_reason are sealed (enc2:); timestamps are
-- Unix milliseconds.
CREATE TABLE documents (
    id            INTEGER PRIMARY KEY,
    card_id       BIGINT  REFERENCES cards (id),
    booking_id    BIGINT  REFERENCES bookings (id),
    kind          TEXT    NOT NULL,
    format        TEXT    NOT NULL,
    pages         INTEGER NOT NULL,
    size          BIGINT  NOT NULL,
    sha256        TEXT    NOT NULL,
    key_id        TEXT    NOT NULL,
    sealed_size   BIGINT  NOT NULL,
    file_name     TEXT    NOT NULL DEFAULT '',
    note          TEXT    NOT NULL DEFAULT '',
    source        TEXT    NOT NULL DEFAULT 'upload' CHECK (source IN ('upload', 'inbox')),
    review        TEXT    NOT NULL DEFAULT '',
    review_reason TEXT    NOT NULL DEFAULT '',
    created_at    BIGINT  NOT NULL,
    created_by    TEXT    NOT NULL,
    deleted_at    BIGINT,
    deleted_by    TEXT    NOT NULL DEFAULT '',
    delete_reason TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX documents_card ON documents (card_id, id);
CREATE INDEX documents_booking ON documents (booking_id);
CREATE INDEX documents_created ON documents (created_at);
CREATE INDEX documents_review ON documents (review, id);

-- document_chunks: a sealed blob in order, each row a slice of the
-- sealed bytes (not of the plaintext).
CREATE TABLE document_chunks (
    document_id BIGINT  NOT NULL REFERENCES documents (id),
    seq         INTEGER NOT NULL,
    data        BLOB    NOT NULL,
    PRIMARY KEY (document_id, seq)
);
