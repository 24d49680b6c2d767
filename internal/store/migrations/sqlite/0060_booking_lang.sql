-- The language a booking was made in: its mails and calendar entry are
-- written in it (issue #21). Bookings made before are Japanese.
ALTER TABLE bookings ADD COLUMN lang TEXT NOT NULL DEFAULT 'ja';
