package postal

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// AddressNumber extracts the 住所表示番号 of an address as Japan Post's
// 郵便番号・バーコードマニュアル (バーコードに必要な文字情報の抜き出し法)
// prescribes: digits, hyphens and lone Latin letters, with kanji numerals
// before 丁目, 丁, 番地, 番, 号, 地割, 線, の and ノ read as numbers, and
// whatever else stands before an extracted character read as one hyphen.
// "1丁目3番2号 郵便プラザ503室" gives "1-3-2-503".
//
// The manual applies the rules to the part of the address after the 町域
// name. Given a whole address, the result is the same unless the 町域 name
// itself holds digits, Latin letters, or a kanji numeral before one of
// those words (八丁堀, 六番町): pass such addresses from after the 町域.
func AddressNumber(address string) string {
	s := clean(address)
	s = kanjiNumbers(s)
	toks := tokenize(s)
	return join(toks)
}

// clean folds full-width forms, upper-cases letters (rule 1), drops & / ・
// and . (rule 2) and reads the usual dash look-alikes as hyphens.
func clean(address string) string {
	s := norm.NFKC.String(address)
	var b strings.Builder
	prevDigit := false
	for _, r := range s {
		switch {
		case r == '&' || r == '/' || r == '・' || r == '.':
			continue // dropped; what follows closes up
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		case isDash(r) || (r == 'ー' && prevDigit):
			r = '-'
		}
		b.WriteRune(r)
		prevDigit = r >= '0' && r <= '9'
	}
	return b.String()
}

func isDash(r rune) bool {
	switch r {
	case '-', '‐', '‑', '‒', '–', '—', '―', '−', '─', '━':
		return true
	}
	return false
}

// numberWords are the words that make a kanji numeral before them part of
// the 住所表示番号 (補足1); 丁 also covers 丁目, 番 covers 番地.
var numberWords = []string{"丁", "番", "号", "地割", "線", "の", "ノ"}

// kanjiNumbers rewrites each run of kanji numerals that stands before one
// of numberWords as arabic digits (補足1): 十一丁目 → 11丁目.
func kanjiNumbers(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if kanjiDigit(r) < 0 {
			b.WriteRune(r)
			i += n
			continue
		}
		j := i
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if kanjiDigit(r) < 0 {
				break
			}
			j += n
		}
		if beforeNumberWord(s[j:]) {
			b.WriteString(kanjiValue(s[i:j]))
		} else {
			b.WriteString(s[i:j])
		}
		i = j
	}
	return b.String()
}

func beforeNumberWord(rest string) bool {
	for _, w := range numberWords {
		if strings.HasPrefix(rest, w) {
			return true
		}
	}
	return false
}

// kanjiDigit returns the value of a kanji numeral: 0-9 for digits, 10,
// 100 and 1000 for 十, 百 and 千, -1 for anything else.
func kanjiDigit(r rune) int {
	if i := strings.IndexRune("〇一二三四五六七八九", r); i >= 0 {
		return utf8.RuneCountInString("〇一二三四五六七八九"[:i])
	}
	switch r {
	case '十':
		return 10
	case '百':
		return 100
	case '千':
		return 1000
	}
	return -1
}

// kanjiValue reads a run of kanji numerals: 二十一 → 21, 百五 → 105, and
// digit by digit when it has no 十, 百 or 千: 一〇五 → 105.
func kanjiValue(run string) string {
	positional := !strings.ContainsAny(run, "十百千")
	total, cur := 0, 0
	for _, r := range run {
		d := kanjiDigit(r)
		switch {
		case positional:
			total = total*10 + d
		case d >= 10:
			total += max(cur, 1) * d
			cur = 0
		default:
			cur = d
		}
	}
	return itoa(total + cur)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var buf [20]byte
	i := len(buf)
	for ; n > 0; n /= 10 {
		i--
		buf[i] = byte('0' + n%10)
	}
	return string(buf[i:])
}

// token kinds of the cleaned address.
const (
	tokNumber = iota // a run of digits: extracted
	tokLetter        // a lone Latin letter: extracted
	tokOther         // anything else, hyphens included: at most one hyphen
)

type token struct {
	kind int
	text string
}

// tokenize splits s into numbers, lone letters and everything else (rule
// 3). A run of two or more letters is not extracted (rule 4), nor is an F
// after a number, which means a floor (補足2); both count as other text,
// which becomes a hyphen only before a later extracted character (補足3).
func tokenize(s string) []token {
	var toks []token
	rs := []rune(s)
	for i := 0; i < len(rs); {
		j := i + 1
		switch r := rs[i]; {
		case r >= '0' && r <= '9':
			for j < len(rs) && rs[j] >= '0' && rs[j] <= '9' {
				j++
			}
			toks = append(toks, token{tokNumber, string(rs[i:j])})
		case r >= 'A' && r <= 'Z':
			for j < len(rs) && rs[j] >= 'A' && rs[j] <= 'Z' {
				j++
			}
			floor := r == 'F' && j == i+1 && len(toks) > 0 && toks[len(toks)-1].kind == tokNumber
			if j == i+1 && !floor {
				toks = append(toks, token{tokLetter, string(r)})
			} else {
				toks = append(toks, token{tokOther, ""})
			}
		default:
			toks = append(toks, token{tokOther, ""})
		}
		i = j
	}
	return toks
}

// join writes the extracted characters with one hyphen for each stretch of
// other text between them: none at the start (rule 6), none at the end,
// one for several (rule 5), and none next to a letter (補足4, 補足5).
func join(toks []token) string {
	var b strings.Builder
	prev := -1 // kind of the last extracted token written
	gap := false
	for _, t := range toks {
		if t.kind == tokOther {
			gap = prev >= 0
			continue
		}
		if gap && prev != tokLetter && t.kind != tokLetter {
			b.WriteByte('-')
		}
		b.WriteString(t.text)
		prev, gap = t.kind, false
	}
	return b.String()
}
