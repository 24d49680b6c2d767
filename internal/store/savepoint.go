package store

import "context"

// Savepoint marks a point in the transaction that RollbackTo can return
// to, keeping what was done before it. name must be an SQL identifier
// chosen by the caller, never input.
func (t *Tx) Savepoint(ctx context.Context, name string) error {
	_, err := t.tx.ExecContext(ctx, `SAVEPOINT `+name)
	t.count.stmts.Add(1)
	return translate(err)
}

// RollbackTo undoes everything after the savepoint, which stays set. On
// PostgreSQL it also ends the failed state an error leaves the
// transaction in, so the work before the savepoint can still commit.
func (t *Tx) RollbackTo(ctx context.Context, name string) error {
	_, err := t.tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT `+name)
	t.count.stmts.Add(1)
	return translate(err)
}
