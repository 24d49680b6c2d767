package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"os/user"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/auth/secret"
	"github.com/kofu-oss/kofu/internal/clock"
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

// openDB opens and migrates the database for a command, with the data
// keys of KOFU_DATA_KEY / KOFU_DATA_KEY_FILE / KOFU_DATA_OLD_KEY_FILE when
// given (commands that touch no personal data run without them).
func openDB(ctx context.Context, dsn string) (*store.DB, error) {
	keys, err := fieldcrypt.Load(os.Getenv("KOFU_DATA_KEY"), os.Getenv("KOFU_DATA_KEY_FILE"), os.Getenv("KOFU_DATA_OLD_KEY_FILE"))
	if err != nil && !errors.Is(err, fieldcrypt.ErrNoKey) {
		return nil, err
	}
	return openDBWithKeys(ctx, dsn, keys)
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

func newAuth(db *store.DB) *auth.Service {
	return auth.NewService(db, clock.System{}, hashParams(), "Kofu")
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

// parseInterspersed parses flags placed before or after the positional
// arguments (kofu import jlis FILE --dry-run) and returns the positionals.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
