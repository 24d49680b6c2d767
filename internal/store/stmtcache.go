package store

import (
	"context"
	"database/sql"
	"sync"
)

// maxSharedStatements bounds the statements kept prepared per pool; the
// queries are written in code, but a few are generated per list length.
const maxSharedStatements = 512

// maxSharedLength keeps the long multi-row statements of a bulk import,
// one per chunk size, out of the shared cache: they run once a chunk and
// would hold their memory for the life of the pool.
const maxSharedLength = 4096

// stmtCache keeps SQLite statements prepared across transactions, one
// per pool. Parsing a statement costs more than running a small one: a
// booking spent over a quarter of its time in the parser when statements
// were prepared per transaction (issue #8). A statement a transaction
// prepares for itself is prepared on the pool once the transaction has
// let its connection go (the writer pool has one connection, which the
// transaction holds); later transactions reuse it through Tx.StmtContext,
// which database/sql prepares once per connection.
type stmtCache struct {
	pool    *sql.DB
	mu      sync.Mutex
	ready   map[string]*sql.Stmt
	pending map[string]bool
}

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, ready: map[string]*sql.Stmt{}, pending: map[string]bool{}}
}

// get returns the shared statement for query, or nil.
func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ready[query]
}

// want notes a query to prepare on the pool after the transaction.
func (c *stmtCache) want(query string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(query) <= maxSharedLength && len(c.ready)+len(c.pending) < maxSharedStatements {
		c.pending[query] = true
	}
}

// prepareWanted prepares the noted queries on the pool, in the background
// so that the caller does not wait for the connection again.
func (c *stmtCache) prepareWanted() {
	c.mu.Lock()
	var queries []string
	for q, waiting := range c.pending {
		if waiting {
			queries = append(queries, q)
			c.pending[q] = false // being prepared
		}
	}
	c.mu.Unlock()
	if len(queries) == 0 {
		return
	}
	go func() {
		for _, q := range queries {
			st, err := c.pool.PrepareContext(context.Background(), q)
			c.mu.Lock()
			delete(c.pending, q)
			if err == nil {
				c.ready[q] = st
			}
			c.mu.Unlock()
		}
	}()
}
