-- The public forms' sealing key is derived from the data key now, instead
-- of being kept in the database in the clear.
DELETE FROM settings WHERE key = 'public_form_key';
