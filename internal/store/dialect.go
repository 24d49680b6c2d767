package store

import (
	"database/sql"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/kofu-oss/kofu/internal/apperr"
)

// dialect holds the few differences between the engines. Everything else is
// portable SQL with $n placeholders, which both drivers accept.
type dialect struct {
	// forUpdate locks selected rows on PostgreSQL; SQLite's single writer
	// already serialises write transactions.
	forUpdate string
	// cacheStatements prepares each statement once per transaction.
	cacheStatements bool
	// positional writes the nth placeholder of a long generated statement:
	// SQLite binds "?" by position, while its named "$n" parameters are
	// looked up one by one, which grows with the square of their number.
	positional bool
}

// param returns the placeholder for the nth argument of a statement whose
// arguments are bound in order.
func (d dialect) param(n int) string {
	if d.positional {
		return "?"
	}
	return "$" + itoa(n)
}

var (
	sqliteDialect   = dialect{forUpdate: "", cacheStatements: true, positional: true}
	postgresDialect = dialect{forUpdate: " FOR UPDATE"}
)

// translate turns driver errors into coded errors in one place.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if apperr.CodeOf(err) != apperr.Internal {
		return err // already coded, with its own message
	}
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.Wrap(apperr.NotFound, "見つかりません。", err)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return apperr.Wrap(apperr.Conflict, "同じものがすでに登録されています。", err)
		case "40001", "40P01":
			return apperr.Wrap(apperr.Conflict, "同時に更新されました。もう一度お試しください。", err)
		}
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return apperr.Wrap(apperr.Conflict, "同じものがすでに登録されています。", err)
		case sqlite3.SQLITE_BUSY:
			return apperr.Wrap(apperr.Conflict, "同時に更新されました。もう一度お試しください。", err)
		}
	}
	return err
}
