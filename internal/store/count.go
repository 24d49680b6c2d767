package store

import "sync/atomic"

// Counts are how many transactions and statements a DB has run since it
// was opened. Benchmarks and tests divide them by the requests served to
// show how much database work a page costs, a figure that, unlike wall
// time, does not depend on how busy the machine is.
type Counts struct {
	Transactions int64 // each one BEGIN and COMMIT (or ROLLBACK)
	Statements   int64 // SQL statements run inside them
}

// counter is the live form of Counts.
type counter struct{ tx, stmts atomic.Int64 }

// Counts returns the transactions and statements run so far.
func (db *DB) Counts() Counts {
	return Counts{Transactions: db.count.tx.Load(), Statements: db.count.stmts.Load()}
}

// Sub is the work done between an earlier reading and c.
func (c Counts) Sub(earlier Counts) Counts {
	return Counts{Transactions: c.Transactions - earlier.Transactions, Statements: c.Statements - earlier.Statements}
}
