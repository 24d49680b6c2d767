package moji

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// KanaKey returns the search key for a kana reading, so that ｻｲﾄｳ ｼﾞｭﾝ,
// さいとう　じゅん and サイトウジュン all match:
//   - NFKC, which widens half-width katakana and composes ｶﾞ into ガ;
//   - hiragana becomes katakana;
//   - small kana become large (ァ→ア, ッ→ツ, ャ→ヤ, ヵ→カ), because
//     readings are typed both ways (キヤノン / キャノン);
//   - the long vowel mark ー, hyphen-like marks typed in its place, the
//     middle dot ・ and all spaces are removed.
//
// ヴ is kept as it is: folding it to ブ would merge distinct readings.
func KanaKey(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if dropFromKanaKey(r) {
			continue
		}
		b.WriteRune(foldSmallKana(hiraganaToKatakana(r)))
	}
	return b.String()
}

func dropFromKanaKey(r rune) bool {
	switch r {
	case 'ー', '-', '‐', '‑', '−', '―', '—', '・':
		return true
	}
	return unicode.IsSpace(r)
}

// hiraganaToKatakana shifts ぁ-ゖ and ゝゞ to the katakana block, which lies
// 0x60 above the hiragana block.
func hiraganaToKatakana(r rune) rune {
	if ('ぁ' <= r && r <= 'ゖ') || r == 'ゝ' || r == 'ゞ' {
		return r + 0x60
	}
	return r
}

// foldSmallKana maps small katakana (after hiragana conversion) to large.
func foldSmallKana(r rune) rune {
	switch r {
	case 'ァ', 'ィ', 'ゥ', 'ェ', 'ォ', 'ッ', 'ャ', 'ュ', 'ョ', 'ヮ':
		return r + 1 // each small kana directly precedes its large form
	case 'ヵ':
		return 'カ'
	case 'ヶ':
		return 'ケ'
	}
	if 'ㇰ' <= r && r <= 'ㇿ' { // Ainu small katakana extensions
		large, _ := utf8.DecodeRuneInString(smallKanaExtLarge[3*(r-'ㇰ'):])
		return large
	}
	return r
}

// smallKanaExtLarge lists the large forms of U+31F0-U+31FF in order; each
// is three bytes in UTF-8.
const smallKanaExtLarge = "クシストヌハヒフヘホムラリルレロ"

// NameKey returns the search key for a name in kanji: spaces (half and full
// width) and variation selectors are removed, so 葛󠄀城　直美 matches 葛城直美.
// NFKC is deliberately not applied: it would replace CJK compatibility
// ideographs (e.g. U+FA1F 﨟, U+F929 朗) with other code points. Private use
// code points (外字) are kept as they are.
func NameKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.IsSpace(r) || IsVariationSelector(r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// NormalizeKana returns the stored form of a kana reading: half-width
// katakana become full-width (ｶﾞ → ガ), runs of spaces become one
// full-width space, and leading and trailing spaces are trimmed. Nothing
// else changes, so the reading stays as the resident wrote it.
func NormalizeKana(s string) string {
	var b strings.Builder
	b.Grow(len(s) * 2)
	space := false
	for i := 0; i < len(s); {
		if n := halfwidthKanaRun(s[i:]); n > 0 {
			flushSpace(&b, &space)
			b.WriteString(widenHalfwidthKana(s[i : i+n]))
			i += n
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if unicode.IsSpace(r) {
			space = b.Len() > 0 // drops leading spaces; trailing ones are never flushed
			continue
		}
		flushSpace(&b, &space)
		b.WriteString(s[i-size : i])
	}
	return b.String()
}

func flushSpace(b *strings.Builder, pending *bool) {
	if *pending {
		b.WriteRune('\u3000')
		*pending = false
	}
}

// halfwidthKanaRun returns the length in bytes of the half-width katakana
// (U+FF61-U+FF9F) at the start of s.
func halfwidthKanaRun(s string) int {
	end := strings.IndexFunc(s, func(r rune) bool { return !isHalfwidthKana(r) })
	if end < 0 {
		return len(s)
	}
	return end
}

func isHalfwidthKana(r rune) bool { return 0xFF61 <= r && r <= 0xFF9F }

// HasHalfwidthKana reports whether s holds half-width katakana (ｶﾞ).
func HasHalfwidthKana(s string) bool { return strings.IndexFunc(s, isHalfwidthKana) >= 0 }

// widenHalfwidthKana widens a run of half-width katakana. NFKC on the run
// alone does the widening and the composition of ﾞ/ﾟ with the preceding
// kana; a sound mark left over (ｱﾞ) becomes the spacing ゛/゜ rather than
// a combining mark that would attach to whatever comes before.
func widenHalfwidthKana(run string) string {
	w := norm.NFKC.String(run)
	if !strings.ContainsAny(w, "\u3099\u309A") {
		return w
	}
	return strings.NewReplacer("\u3099", "゛", "\u309A", "゜").Replace(w)
}
