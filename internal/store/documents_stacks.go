package store

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// DocumentReviewStack marks a scanner stack not yet split into its pages:
// no document of a card, in no queue.
const DocumentReviewStack = "stack"

// StackPages lists the pages split from a stack so far (deleted ones
// too: a page filed is done), in page order.
func (t *Tx) StackPages(ctx context.Context, stackID int64) ([]DocumentRecord, error) {
	rows, err := t.documents(ctx, `stack_id = $1`, stackID)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(rows, func(a, b DocumentRecord) int { return cmp.Compare(a.StackPage, b.StackPage) })
	return rows, nil
}

// InterruptedStacks lists the stacks not yet split whose claim is older
// than staleBefore: the process splitting them ended.
func (t *Tx) InterruptedStacks(ctx context.Context, staleBefore time.Time) ([]DocumentRecord, error) {
	return t.documents(ctx, `review = $1 AND deleted_at IS NULL AND (claimed_at IS NULL OR claimed_at < $2)`,
		DocumentReviewStack, millis(staleBefore))
}

// ClaimStack takes an interrupted stack (its claim older than
// staleBefore) for this process at now; false if it is being split, was
// split or is no stack.
func (t *Tx) ClaimStack(ctx context.Context, id int64, now, staleBefore time.Time) (bool, error) {
	res, err := t.exec(ctx, `UPDATE documents SET claimed_at = $2
		WHERE id = $1 AND review = $3 AND deleted_at IS NULL AND (claimed_at IS NULL OR claimed_at < $4)`,
		id, millis(now), DocumentReviewStack, millis(staleBefore))
	if err != nil {
		return false, translate(err)
	}
	n, err := res.RowsAffected()
	return n == 1, translate(err)
}

// RenewStackClaim says the stack is still being split at now; with a
// zero now it releases the claim (the splitting stopped on an error).
func (t *Tx) RenewStackClaim(ctx context.Context, id int64, now time.Time) error {
	var at any
	if !now.IsZero() {
		at = millis(now)
	}
	_, err := t.exec(ctx, `UPDATE documents SET claimed_at = $2 WHERE id = $1 AND review = $3`, id, at, DocumentReviewStack)
	return translate(err)
}

// CloseStack ends a stack once split (or discarded): its content goes,
// its row stays as the record of what was taken in (size, SHA-256, who
// took it), with who closed it and why (sealed).
func (t *Tx) CloseStack(ctx context.Context, id int64, by, reason string, at time.Time) error {
	if err := t.DeleteDocument(ctx, id, by, reason, at); err != nil {
		return err
	}
	_, err := t.exec(ctx, `UPDATE documents SET review = '', review_reason = '', claimed_at = NULL WHERE id = $1`, id)
	return translate(err)
}
