-- booking_people.comes: who the booking said would come to the counter
-- for the person (self, legal_representative or proxy; '' when not asked,
-- as for bookings made by staff or before this column), shown at handover.
ALTER TABLE booking_people ADD COLUMN comes TEXT NOT NULL DEFAULT '';
