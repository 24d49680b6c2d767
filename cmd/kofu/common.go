package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/auth/secret"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/config"
	"github.com/kofu-oss/kofu/internal/fieldcrypt"
	"github.com/kofu-oss/kofu/internal/store"
)

// errSilent ends a command with exit code 1 after it printed its own message.
var errSilent = errors.New("silent")

func messageOf(err error) string {
	if apperr.CodeOf(err) == apperr.Internal {
		return err.Error() // the operator's own terminal: the detail helps
	}
	msg := apperr.MessageOf(err)
	for _, f := range apperr.FieldsOf(err) {
		if f.Message != msg {
			msg += "\n  " + f.Field + ": " + f.Message
		}
	}
	return msg
}

// newFlags returns a flag set whose errors and help go to stderr.
func (e env) newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// dbFlag registers --db with KOFU_DB as its default.
func dbFlag(fs *flag.FlagSet) *string {
	def := "./data/kofu.db"
	if v := os.Getenv("KOFU_DB"); v != "" {
		def = v
	}
	return fs.String("db", def, "SQLite のファイル、または postgres:// の URL [KOFU_DB]")
}

// openDB opens an existing database for a command and brings it to the
// current schema, with the data keys of KOFU_DATA_KEY / KOFU_DATA_KEY_FILE
// / KOFU_DATA_OLD_KEY_FILE when given (commands that touch no personal
// data run without them). Only serve, migrate and restore (whose target
// is a new database) create one: any other command refuses a database
// that is not there, naming where it looked, rather than leave an empty
// ./data/kofu.db behind and answer from it.
func openDB(ctx context.Context, dsn string) (*store.DB, error) {
	if err := mustExist(ctx, dsn); err != nil {
		return nil, err
	}
	return createDB(ctx, dsn)
}

// envKeys loads the data keys named by KOFU_DATA_KEY, KOFU_DATA_KEY_FILE
// and KOFU_DATA_OLD_KEY_FILE (fieldcrypt.ErrNoKey when none is).
func envKeys() (*fieldcrypt.Keyring, error) {
	return fieldcrypt.Load(os.Getenv("KOFU_DATA_KEY"), os.Getenv("KOFU_DATA_KEY_FILE"), os.Getenv("KOFU_DATA_OLD_KEY_FILE"))
}

// createDB is openDB for the commands that may create the database.
func createDB(ctx context.Context, dsn string) (*store.DB, error) {
	keys, err := envKeys()
	if err != nil && !errors.Is(err, fieldcrypt.ErrNoKey) {
		return nil, err
	}
	return openDBWithKeys(ctx, dsn, keys)
}

// openExisting opens a database that exists without migrating it: a
// backup copies the database as it is.
func openExisting(ctx context.Context, dsn string) (*store.DB, error) {
	if err := mustExist(ctx, dsn); err != nil {
		return nil, err
	}
	return store.Open(ctx, dsn)
}

// mustExist refuses a database that is not there: a SQLite file that does
// not exist, or a database (of either engine) without kofu's tables. It
// writes nothing.
func mustExist(ctx context.Context, dsn string) error {
	if store.EngineOf(dsn) == store.SQLite {
		if _, err := os.Stat(dsn); errors.Is(err, fs.ErrNotExist) {
			return errors.New("データベースのファイルがありません: " + describeDB(dsn) + "\n" + createHint(dsn))
		}
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	tables, err := db.Tables(ctx)
	if err != nil {
		return err
	}
	if _, ok := tables["schema_migrations"]; !ok {
		return errors.New("データベースに kofu のデータがありません (まだ作成されていません): " + describeDB(dsn) + "\n" + createHint(dsn))
	}
	return nil
}

// describeDB names a database for a message: a SQLite file with its full
// path, a PostgreSQL URL without its password.
func describeDB(dsn string) string {
	if store.EngineOf(dsn) == store.Postgres {
		if u, err := url.Parse(dsn); err == nil {
			return u.Redacted()
		}
		return "PostgreSQL"
	}
	if abs, err := filepath.Abs(dsn); err == nil && abs != dsn {
		return dsn + " (" + abs + ")"
	}
	return dsn
}

// createHint says how to name the right database, or make a new one.
func createHint(dsn string) string {
	hint := "  --db (または環境変数 KOFU_DB) で既存のデータベースを指定してください。新しく作るときは kofu migrate --db " + dsn + " を実行してください。"
	if _, err := os.Stat(config.DemoDB); err == nil && dsn != config.DemoDB {
		hint += "\n  デモ (kofu serve --demo) のデータベースは --db " + config.DemoDB + " です。"
	}
	return hint
}

// openDBWithKeys opens and migrates the database and refuses keys that
// cannot open the personal data it holds.
func openDBWithKeys(ctx context.Context, dsn string, keys *fieldcrypt.Keyring) (*store.DB, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	db.UseKeys(keys)
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if keys != nil {
		if err := db.CheckKeys(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

// hashParams are the password hashing parameters; KOFU_TEST_FAST_HASH makes
// tests of the binary quick and is never meant for production.
func hashParams() secret.Params {
	if os.Getenv("KOFU_TEST_FAST_HASH") == "1" {
		return secret.TestParams()
	}
	return secret.DefaultParams()
}

// sysClock is the clock of the one-shot commands (serve takes its own from
// main.Clock, which tests set).
var sysClock clock.Clock = clock.System{}

func newAuth(db *store.DB) *auth.Service {
	return auth.NewService(db, sysClock, hashParams(), "Kofu")
}

// operator is the audit actor for command-line actions: the OS user.
func operator() auth.Principal {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return auth.System(name)
}

// readSecret reads one line (a password) from r.
func readSecret(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}
