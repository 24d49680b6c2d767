package store

import (
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// driverClass is what a driver's error means to Kofu. classify is the one
// place that reads the engines' error codes; translate, Retryable and the
// duplicate checks ask it.
type driverClass int

const (
	driverOther       driverClass = iota
	driverUnique                  // a unique or primary key refused the row
	driverContention              // serialisation failure or deadlock (PostgreSQL), busy (SQLite): run it again
	driverUnavailable             // the database is out of reach or cannot write now (failover, restart, network)
)

// PostgreSQL's codes for a server that is going away, not there yet, or a
// standby that cannot write: what a failover looks like from the client.
var pgUnavailable = map[string]bool{
	"57P01": true, // admin_shutdown, also pg_terminate_backend
	"57P02": true, // crash_shutdown
	"57P03": true, // cannot_connect_now: starting up or in recovery
	"25006": true, // read_only_sql_transaction: connected to a standby
	"53300": true, // too_many_connections
}

func classify(err error) driverClass {
	if err == nil {
		return driverOther
	}
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok {
		switch {
		case pe.Code == "23505":
			return driverUnique
		case pe.Code == "40001" || pe.Code == "40P01":
			return driverContention
		case pgUnavailable[pe.Code] || strings.HasPrefix(pe.Code, "08"): // class 08: connection exception
			return driverUnavailable
		}
		return driverOther
	}
	if se, ok := errors.AsType[*sqlite.Error](err); ok {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return driverUnique
		case sqlite3.SQLITE_BUSY:
			return driverContention
		}
		return driverOther
	}
	if connectionLost(err) {
		return driverUnavailable
	}
	return driverOther
}

// connectionLost tells a connection that could not be made or broke off:
// refused or reset by the server, cut in the middle of an answer, or
// closed under the pool.
func connectionLost(err error) bool {
	if _, ok := errors.AsType[*pgconn.ConnectError](err); ok {
		return true
	}
	if _, ok := errors.AsType[*net.OpError](err); ok {
		return true
	}
	return errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// Retryable tells whether err is a transient conflict between concurrent
// transactions (PostgreSQL deadlock or serialisation failure, SQLite busy)
// after which the whole transaction may simply be run again.
func Retryable(err error) bool { return classify(err) == driverContention }

func isUniqueViolation(err error) bool { return classify(err) == driverUnique }
