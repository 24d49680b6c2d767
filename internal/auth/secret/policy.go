package secret

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Policy is the password policy. Lengths count runes after NFKC
// normalisation, the same form that Hasher hashes.
type Policy struct {
	MinLength      int      // runes; default 12 (a value <= 0 means the default)
	RequireClasses int      // 0 = no composition rule; else how many of {lower, upper, digit, symbol} are required (1-4)
	ExpiryDays     int      // 0 = never; used by callers via Expired()
	ExtraBlocked   []string // city-specific additions to the block list
}

const (
	// DefaultMinLength is the minimum password length of DefaultPolicy.
	DefaultMinLength = 12
	// MaxPasswordLength bounds the length of a new password (runes), far above
	// anything a person types, so a policy check never accepts megabytes.
	MaxPasswordLength = 1024
	// usernameMinLength: shorter usernames are not searched for in passwords.
	usernameMinLength = 3
	// maxBlockedSuffix is the longest run of trailing digits and symbols that
	// is removed before the block list is consulted a second time, so
	// "password2024!" is refused like "password".
	maxBlockedSuffix = 6
	// minBlockedBase is the shortest remainder that is looked up after the
	// suffix is removed.
	minBlockedBase = 4
)

// DefaultPolicy follows NIST SP 800-63B: at least 12 characters, no
// composition rule, no periodic expiry, and a block list of common passwords.
// Cities that must follow a stricter local rule set RequireClasses and
// ExpiryDays.
func DefaultPolicy() Policy {
	return Policy{MinLength: DefaultMinLength}
}

// PolicyError lists every rule a password broke, as Japanese messages for
// the user.
type PolicyError struct {
	Problems []string /* Japanese */
}

// Error joins the problems with "、".
func (e *PolicyError) Error() string { return strings.Join(e.Problems, "、") }

// Check returns nil or a *PolicyError listing every broken rule. Besides
// length and composition it refuses a password that contains the username
// (case-insensitive, when the username has at least 3 characters), one on
// the embedded block list or p.ExtraBlocked (case-insensitive, also after
// removing up to 6 trailing digits and symbols), one that is a single
// character repeated, and one with control characters or invalid UTF-8.
func (p Policy) Check(username, password string) error {
	var problems []string
	if !utf8.ValidString(password) || strings.ContainsFunc(password, unicode.IsControl) {
		problems = append(problems, "パスワードに使用できない文字（制御文字など）が含まれています")
	}
	pw := norm.NFKC.String(password)
	n := utf8.RuneCountInString(pw)

	minLen := p.MinLength
	if minLen <= 0 {
		minLen = DefaultMinLength
	}
	if n < minLen {
		problems = append(problems, fmt.Sprintf("パスワードは%d文字以上にしてください", minLen))
	}
	if n > MaxPasswordLength {
		problems = append(problems, fmt.Sprintf("パスワードは%d文字以内にしてください", MaxPasswordLength))
	}

	if req := min(p.RequireClasses, 4); req > 0 && charClasses(pw) < req {
		if req == 4 {
			problems = append(problems, "英小文字・英大文字・数字・記号をすべて含めてください")
		} else {
			problems = append(problems, fmt.Sprintf("英小文字・英大文字・数字・記号のうち%d種類以上を含めてください", req))
		}
	}

	folded := fold(password)
	if u := fold(strings.TrimSpace(username)); utf8.RuneCountInString(u) >= usernameMinLength && strings.Contains(folded, u) {
		problems = append(problems, "ユーザー名を含むパスワードは使用できません")
	}
	if isBlocked(folded, p.ExtraBlocked) {
		problems = append(problems, "よく使われるパスワードや推測されやすいパスワードは使用できません")
	}
	if n >= 2 && isSingleRepeated(folded) {
		problems = append(problems, "同じ文字を繰り返しただけのパスワードは使用できません")
	}

	if len(problems) > 0 {
		return &PolicyError{Problems: problems}
	}
	return nil
}

// Expired reports whether a password changed at changedAt has expired at
// now. With ExpiryDays <= 0 passwords never expire. A password expires
// exactly ExpiryDays×24 h after it was changed.
func (p Policy) Expired(changedAt, now time.Time) bool {
	if p.ExpiryDays <= 0 {
		return false
	}
	return !now.Before(changedAt.Add(time.Duration(p.ExpiryDays) * 24 * time.Hour))
}

// fold is the form in which passwords, usernames and block-list entries are
// compared: NFKC, then lower case.
func fold(s string) string { return strings.ToLower(norm.NFKC.String(s)) }

// charClasses counts which of {lower, upper, digit, symbol} occur in s.
// Any character that is not a cased letter or a digit, including spaces and
// Japanese kana and kanji, counts as a symbol.
func charClasses(s string) int {
	var lower, upper, digit, symbol int
	for _, r := range s {
		switch {
		case unicode.IsLower(r):
			lower = 1
		case unicode.IsUpper(r):
			upper = 1
		case unicode.IsDigit(r):
			digit = 1
		default:
			symbol = 1
		}
	}
	return lower + upper + digit + symbol
}

func isSingleRepeated(s string) bool {
	first, size := utf8.DecodeRuneInString(s)
	for _, r := range s[size:] {
		if r != first {
			return false
		}
	}
	return true
}
