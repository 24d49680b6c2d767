-- card_search drops the 1-character pieces of names and keeps 20 bits of
-- each piece's keyed hash instead of 64 (see store.GramBits): tokens are
-- shared by many pieces, so a stolen file no longer shows how many
-- residents share each piece of a name. The rows are made again from
-- card_names by the store right after this file, in the same transaction
-- (see rebuildSearch); on a large ledger this takes minutes.
DELETE FROM card_search;
