-- A document past its retention (settings: years per kind after the card
-- was handed over or disposed of) is deleted by two staff members, as a
-- card's disposal is: one proposes, another confirms. The proposal waits
-- on the document's row; the deletion is recorded as any other.
ALTER TABLE documents ADD COLUMN disposal_proposed_at BIGINT;
ALTER TABLE documents ADD COLUMN disposal_proposer TEXT NOT NULL DEFAULT '';
