-- card_search is an index that the store keeps, not data: its rows are
-- written only for cards the same transaction has just written or read.
-- Its foreign key checked each row against cards, some 25 index probes a
-- card, and made a bulk import spend more time checking than writing. A
-- trigger now does what the cascade did: deleting a card removes its rows
-- (by scan, as the cascade did: card_id has no index of its own).
ALTER TABLE card_search DROP CONSTRAINT card_search_card_id_fkey;
CREATE FUNCTION card_search_forget_card() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM card_search WHERE card_id = OLD.id;
    RETURN OLD;
END;
$$;
CREATE TRIGGER cards_forget_search AFTER DELETE ON cards
FOR EACH ROW EXECUTE FUNCTION card_search_forget_card();
