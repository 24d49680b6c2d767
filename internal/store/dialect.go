package store

import (
	"database/sql"
	"errors"

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

// UnavailableMessage is what people are told when the database cannot be
// reached for a moment (a failover, a restart): nothing they did is wrong.
const UnavailableMessage = "ただいまデータベースに接続できません。数秒から数十秒で戻りますので、少し待ってからもう一度お試しください。"

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
	switch classify(err) {
	case driverUnique:
		return apperr.Wrap(apperr.Conflict, "同じものがすでに登録されています。", err)
	case driverContention:
		return apperr.Wrap(apperr.Conflict, "同時に更新されました。もう一度お試しください。", err)
	case driverUnavailable:
		return apperr.Wrap(apperr.Unavailable, UnavailableMessage, err)
	}
	return err
}
