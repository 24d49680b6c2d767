-- The audit chain is keyed (see internal/audit): each entry and the head
-- carry a MAC ("<key id>:<hex>") under a key derived from the data key,
-- which the database does not hold, so that someone who can write to the
-- database cannot rewrite the log and recompute its hashes unnoticed.
-- Entries written before stay as they are, with mac ''; the first append
-- with the key records an audit.chain_keyed entry that chains to them.
ALTER TABLE audit_log ADD COLUMN mac TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_head ADD COLUMN mac TEXT NOT NULL DEFAULT '';

