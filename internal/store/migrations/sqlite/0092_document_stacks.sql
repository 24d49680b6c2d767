-- Scanner stacks (issue #19). A page split from a stack names the stack
-- and its page number: a stack whose splitting was interrupted (the
-- process ended) resumes where it stopped without filing a page twice,
-- and the day's size limit counts the stack once, not its pages again.
-- The stack's own row stays once split, without its content, as the
-- record of what was taken in. claimed_at is renewed while a process
-- splits the stack: a stack still unsplit whose claim is old was
-- interrupted. Unix milliseconds.
ALTER TABLE documents ADD COLUMN stack_id BIGINT;
ALTER TABLE documents ADD COLUMN stack_page INTEGER NOT NULL DEFAULT 0;
ALTER TABLE documents ADD COLUMN claimed_at BIGINT;
CREATE INDEX documents_stack ON documents (stack_id, stack_page);
