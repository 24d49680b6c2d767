package store

import (
	"strconv"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
)

func itoa(n int) string { return strconv.Itoa(n) }

// escapeLike escapes LIKE wildcards for a pattern used with ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func ignoreNotFound(err error) error {
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	return err
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
