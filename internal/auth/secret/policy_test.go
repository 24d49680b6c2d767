package secret

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
)

// Expected messages, spelled out so a changed wording is a visible decision.
const (
	msgLength12  = "パスワードは12文字以上にしてください"
	msgTooLong   = "パスワードは1024文字以内にしてください"
	msgClasses3  = "英小文字・英大文字・数字・記号のうち3種類以上を含めてください"
	msgClasses4  = "英小文字・英大文字・数字・記号をすべて含めてください"
	msgUsername  = "ユーザー名を含むパスワードは使用できません"
	msgBlocked   = "よく使われるパスワードや推測されやすいパスワードは使用できません"
	msgRepeated  = "同じ文字を繰り返しただけのパスワードは使用できません"
	msgBadChars  = "パスワードに使用できない文字（制御文字など）が含まれています"
	goodPassword = "correct horse battery staple"
)

func problems(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var pe *PolicyError
	if !errors.As(err, &pe) {
		t.Fatalf("Check returned %T %v, want *PolicyError", err, err)
	}
	if len(pe.Problems) == 0 {
		t.Fatal("PolicyError without problems")
	}
	return pe.Problems
}

func TestDefaultPolicy(t *testing.T) {
	p := DefaultPolicy()
	if p.MinLength != 12 || p.RequireClasses != 0 || p.ExpiryDays != 0 || len(p.ExtraBlocked) != 0 {
		t.Errorf("DefaultPolicy() = %+v", p)
	}
	for _, pw := range []string{
		goodPassword,
		"Xk3#mZ9qLw2!",
		"甲府市の桜は春に咲きます", // 12 runes of Japanese
		"ふじさんがみえるまちこうふ",
		"tanaka-loves-hoto-noodles", // username below is not in it
	} {
		if err := p.Check("suzuki", pw); err != nil {
			t.Errorf("Check(%q) = %v, want nil", pw, err)
		}
	}
}

// Each rule on its own: the password breaks exactly that rule.
func TestPolicyRules(t *testing.T) {
	for _, tc := range []struct {
		name     string
		policy   Policy
		username string
		password string
		want     []string
	}{
		{"too short", DefaultPolicy(), "", "Xk3#mZ9qLw2", []string{msgLength12}},
		{"empty", DefaultPolicy(), "", "", []string{msgLength12}},
		{"custom length", Policy{MinLength: 16}, "", goodPassword[:15], []string{"パスワードは16文字以上にしてください"}},
		{"zero MinLength means 12", Policy{}, "", "Xk3#mZ9qLw2", []string{msgLength12}},
		{"length counts runes", DefaultPolicy(), "", "甲府市の桜は春に咲きま", []string{msgLength12}},
		{"length after NFKC", DefaultPolicy(), "", "ｶﾝﾘｼｬﾊﾟｽﾜｰﾄﾞ", []string{msgLength12}}, // 13 code points, 11 after NFKC
		{"too long", DefaultPolicy(), "", strings.Repeat("Xk3#mZ9qL", 114), []string{msgTooLong}},
		{"one class of three", Policy{RequireClasses: 3}, "", "correcthorsebatterystaple", []string{msgClasses3}},
		{"two classes of three", Policy{RequireClasses: 3}, "", "correcthorsebattery42", []string{msgClasses3}},
		{"three classes of four", Policy{RequireClasses: 4}, "", "Correcthorsebattery42", []string{msgClasses4}},
		{"classes above 4 mean 4", Policy{RequireClasses: 9}, "", "Correcthorsebattery42", []string{msgClasses4}},
		{"username", DefaultPolicy(), "tanaka", "my-tanaka-secret-77", []string{msgUsername}},
		{"username case-insensitive", DefaultPolicy(), "Tanaka", "my-TANAKA-secret-77", []string{msgUsername}},
		{"username full-width", DefaultPolicy(), "tanaka", "my-ＴＡＮＡＫＡ-secret-77", []string{msgUsername}},
		{"username exactly 3", DefaultPolicy(), "kei", "my-kei-secret-7788", []string{msgUsername}},
		{"blocked", DefaultPolicy(), "", "password1234", []string{msgBlocked}},
		{"blocked upper case", DefaultPolicy(), "", "PASSWORD1234", []string{msgBlocked}},
		{"blocked mixed case", DefaultPolicy(), "", "PassWord1234", []string{msgBlocked}},
		{"blocked full-width", DefaultPolicy(), "", "ｐａｓｓｗｏｒｄ１２３４", []string{msgBlocked}},
		{"blocked with spaces", DefaultPolicy(), "", "password 1234", []string{msgBlocked}},
		{"blocked keyboard walk", DefaultPolicy(), "", "QwertyUiop@[", []string{msgBlocked}},
		{"blocked keyboard walk 2", DefaultPolicy(), "", "1qaz2wsx3edc", []string{msgBlocked}},
		{"blocked sequence", DefaultPolicy(), "", "abcdefghijkl", []string{msgBlocked}},
		{"blocked word with suffix", DefaultPolicy(), "", "Sunshine2024!", []string{msgBlocked}},
		{"blocked kofu", Policy{MinLength: 4}, "", "Kofu", []string{msgBlocked}},
		{"blocked mitashi", Policy{MinLength: 4}, "", "MITASHI", []string{msgBlocked}},
		{"blocked admin", Policy{MinLength: 4}, "", "admin", []string{msgBlocked}},
		{"blocked qwertyuiop", Policy{MinLength: 8}, "", "qwertyuiop", []string{msgBlocked}},
		{"extra blocked", Policy{ExtraBlocked: []string{"Maizuru Castle"}}, "", "MAIZURUCASTLE", []string{msgBlocked}},
		{"extra blocked with suffix", Policy{ExtraBlocked: []string{"maizurucastle"}}, "", "maizuru castle 2025", []string{msgBlocked}},
		{"repeated", DefaultPolicy(), "", "zzzzzzzzzzzzzz", []string{msgRepeated}},
		{"repeated mixed case", DefaultPolicy(), "", "ZzZzZzZzZzZzZz", []string{msgRepeated}},
		{"repeated japanese", DefaultPolicy(), "", "ああああああああああああ", []string{msgRepeated}},
		{"repeated spaces", DefaultPolicy(), "", strings.Repeat(" ", 13), []string{msgRepeated}},
		{"control character", DefaultPolicy(), "", "correct\x00horse battery", []string{msgBadChars}},
		{"newline", DefaultPolicy(), "", "correct horse\nbattery", []string{msgBadChars}},
		{"invalid UTF-8", DefaultPolicy(), "", "correct horse \xff battery", []string{msgBadChars}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := problems(t, tc.policy.Check(tc.username, tc.password))
			if !slices.Equal(got, tc.want) {
				t.Errorf("Check(%q, %q) problems = %q, want %q", tc.username, tc.password, got, tc.want)
			}
		})
	}
}

func TestPolicyRulesNotTriggered(t *testing.T) {
	for _, tc := range []struct {
		name     string
		policy   Policy
		username string
		password string
	}{
		{"exactly 12", DefaultPolicy(), "", "Xk3#mZ9qLw2!"},
		{"exactly 1024", DefaultPolicy(), "", strings.Repeat("Xk3#mZ9qL", 113) + "Xk3#mZ9"},
		{"three classes", Policy{RequireClasses: 3}, "", "correcthorsebattery42!"},
		{"kanji count as symbols", Policy{RequireClasses: 4}, "", "Correct甲府battery42"},
		{"four classes", Policy{RequireClasses: 4}, "", "Correct horse battery 42"},
		{"short username ignored", DefaultPolicy(), "ab", "abundant rivers flow"},
		{"username not contained", DefaultPolicy(), "tanaka", "tana-ka rivers flow"},
		{"blank username", DefaultPolicy(), "   ", goodPassword},
		{"long suffix is not a variant", DefaultPolicy(), "", "sunshine7391!82"},
		{"word inside a passphrase", DefaultPolicy(), "", "my password is long and odd"},
		{"short base with digits", DefaultPolicy(), "", "xyz1234567890"},
		{"two characters alternating", DefaultPolicy(), "", "xyxyxyxyxyxyxy"},
		{"empty extra entry ignored", Policy{ExtraBlocked: []string{"", "  "}}, "", goodPassword},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.policy.Check(tc.username, tc.password); err != nil {
				t.Errorf("Check(%q, %q) = %v, want nil", tc.username, tc.password, err)
			}
		})
	}
}

func TestPolicyErrorListsEveryProblem(t *testing.T) {
	err := Policy{RequireClasses: 2}.Check("admin", "admin")
	got := problems(t, err)
	want := []string{msgLength12, "英小文字・英大文字・数字・記号のうち2種類以上を含めてください", msgUsername, msgBlocked}
	if !slices.Equal(got, want) {
		t.Fatalf("problems = %q, want %q", got, want)
	}
	if msg := err.Error(); msg != strings.Join(want, "、") {
		t.Errorf("Error() = %q", msg)
	}
	for _, p := range got {
		if !containsJapanese(p) {
			t.Errorf("problem %q has no Japanese text", p)
		}
	}

	got = problems(t, DefaultPolicy().Check("", "aaaaaaaaaaaa"))
	if !slices.Equal(got, []string{msgBlocked, msgRepeated}) {
		t.Errorf("aaaaaaaaaaaa: problems = %q", got)
	}
}

func containsJapanese(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool {
		return unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han)
	})
}

func TestPolicyExpired(t *testing.T) {
	jst := time.FixedZone("JST", 9*3600)
	changed := time.Date(2025, 4, 1, 9, 0, 0, 0, jst)
	if (Policy{}).Expired(changed, changed.AddDate(50, 0, 0)) {
		t.Error("ExpiryDays 0 expired")
	}
	if (Policy{ExpiryDays: -1}).Expired(changed, changed.AddDate(50, 0, 0)) {
		t.Error("negative ExpiryDays expired")
	}
	p := Policy{ExpiryDays: 90}
	limit := changed.Add(90 * 24 * time.Hour)
	for _, tc := range []struct {
		now  time.Time
		want bool
	}{
		{changed, false},
		{limit.Add(-time.Nanosecond), false},
		{limit, true},
		{limit.UTC(), true},
		{limit.Add(time.Hour), true},
		{changed.Add(-time.Hour), false}, // clock skew: changed in the future
	} {
		if got := p.Expired(changed, tc.now); got != tc.want {
			t.Errorf("Expired(%v, %v) = %v, want %v", changed, tc.now, got, tc.want)
		}
	}
	if !p.Expired(time.Time{}, changed) {
		t.Error("a password never changed (zero time) did not expire")
	}
}

// The embedded list is well formed: entries are already folded, unique,
// without white space, and include the entries the brief asks for.
func TestBlockListFile(t *testing.T) {
	seen := map[string]bool{}
	for line := range strings.Lines(commonPasswords) {
		if strings.HasSuffix(line, "\r\n") {
			t.Fatal("block list has CRLF line endings")
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" || line[0] == '#' {
			continue
		}
		if fold(line) != line || strings.ContainsFunc(line, unicode.IsSpace) {
			t.Errorf("entry %q is not folded or contains white space", line)
		}
		if seen[line] {
			t.Errorf("duplicate entry %q", line)
		}
		seen[line] = true
	}
	if len(seen) < 1100 {
		t.Errorf("block list has %d entries, want at least 1100", len(seen))
	}
	for _, want := range []string{
		"123456", "password", "qwerty", "iloveyou", "password1234", "mitashi", "kofu", "admin",
		"qwertyuiop", "1qaz2wsx", "aaaaaaaaaaaa", "p@ssw0rd", "yamanashi", "sunshine",
	} {
		if !seen[want] {
			t.Errorf("block list lacks %q", want)
		}
	}
}

func TestIsBlockedSuffixBoundary(t *testing.T) {
	for pw, want := range map[string]bool{
		"sunshine":         true,
		"sunshine1":        true,
		"sunshine7391!8":   true,  // 6 trailing digits and symbols
		"sunshine7391!82":  false, // 7
		"sunshine#2025":    true,
		"2025sunshine":     false, // only trailing affixes are removed
		"sunshines":        false,
		"abc987":           false, // "abc" is shorter than the 4-rune base
		"123456":           true,
		"1234567890123456": false,
	} {
		if got := isBlocked(fold(pw), nil); got != want {
			t.Errorf("isBlocked(%q) = %v, want %v", pw, got, want)
		}
	}
}
