-- card_search is an index that the store keeps, not data: its rows are
-- written only for cards the same transaction has just written or read.
-- Its foreign key checked each row against cards, some 25 lookups a card,
-- and made a bulk import spend more time checking than writing. SQLite
-- cannot drop a constraint, so the table is copied without it (as on
-- PostgreSQL, so that a backup restores into either engine in the same
-- table order). A trigger now does what the cascade did: deleting a card
-- removes its rows.
CREATE TABLE card_search_new (
    token   BIGINT NOT NULL,
    card_id BIGINT NOT NULL,
    PRIMARY KEY (token, card_id)
) WITHOUT ROWID;
INSERT INTO card_search_new (token, card_id) SELECT token, card_id FROM card_search;
DROP TABLE card_search;
ALTER TABLE card_search_new RENAME TO card_search;
CREATE TRIGGER cards_forget_search AFTER DELETE ON cards
BEGIN
    DELETE FROM card_search WHERE card_id = OLD.id;
END;
