package secret

import (
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"
)

// commonPasswords is the block list: one folded entry a line, '#' comments.
//
//go:embed common_passwords.txt
var commonPasswords string

// isBlocked reports whether the folded password (with white space removed),
// or the same with a short run of trailing digits and symbols removed, is on
// the embedded block list or in extra (which is folded here). The list is
// small (about 1,200 lines) and Check is rare, so a linear scan keeps the
// package free of lazily built state.
func isBlocked(folded string, extra []string) bool {
	folded = strings.Join(strings.Fields(folded), "")
	candidates := []string{folded}
	if base := strings.TrimRightFunc(folded, isDigitOrSymbol); base != folded {
		baseLen := utf8.RuneCountInString(base)
		if baseLen >= minBlockedBase && utf8.RuneCountInString(folded)-baseLen <= maxBlockedSuffix {
			candidates = append(candidates, base)
		}
	}
	for line := range strings.Lines(commonPasswords) {
		line = strings.TrimSuffix(line, "\n")
		if line == "" || line[0] == '#' {
			continue
		}
		for _, c := range candidates {
			if line == c {
				return true
			}
		}
	}
	for _, e := range extra {
		e = strings.Join(strings.Fields(fold(e)), "")
		if e == "" {
			continue
		}
		for _, c := range candidates {
			if e == c {
				return true
			}
		}
	}
	return false
}

func isDigitOrSymbol(r rune) bool {
	return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
}
