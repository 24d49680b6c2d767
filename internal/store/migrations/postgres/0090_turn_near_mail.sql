-- The mail when a resident's turn is near (issue #17, item 5). A ticket
-- of a booking with an e-mail address may ask for one mail when few are
-- ahead: near_mail is '' (not asked), 'asked', or 'queued' once the mail
-- went to the outbox. The mark is set in the call's transaction, which
-- holds the place's counter row, so two instances never queue it twice.
ALTER TABLE tickets ADD COLUMN near_mail TEXT NOT NULL DEFAULT ''
    CHECK (near_mail IN ('', 'asked', 'queued'));

-- The outbox takes the new kind of mail.
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_kind_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_kind_check
    CHECK (kind IN ('confirmation', 'change', 'cancellation', 'reminder', 'turn_near'));
