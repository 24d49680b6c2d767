package moji

import (
	"slices"
	"testing"
)

func TestKanaKey(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"full-width katakana with full-width space", "ミワ　ナオミ", "ミワナオミ"},
		{"half-width with dakuten", "ｲﾄｳ ｺｳｼﾞ", "イトウコウジ"},
		{"half-width handakuten", "ﾎﾟﾝﾌﾟ", "ポンプ"},
		{"hiragana", "さいとう　じゅん", "サイトウジユン"},
		{"small kana folded", "キャノン", "キヤノン"},
		{"small tsu folded", "ハットリ", "ハツトリ"},
		{"small a i u e o", "ァィゥェォ", "アイウエオ"},
		{"small ka ke", "ヵヶ", "カケ"},
		{"small wa", "ヮ", "ワ"},
		{"small hiragana", "ぁっゃゅょゎゕゖ", "アツヤユヨワカケ"},
		{"Ainu small kana", "ㇰㇷ", "クフ"},
		{"long vowel removed", "コーヒー", "コヒ"},
		{"half-width long vowel removed", "ｺｰﾋｰ", "コヒ"},
		{"hyphen typed for long vowel", "ｺ-ﾋ-", "コヒ"},
		{"vu kept", "ヴィクトリア", "ヴイクトリア"},
		{"hiragana vu becomes katakana vu", "ゔ", "ヴ"},
		{"half-width vu", "ｳﾞｨ", "ヴイ"},
		{"middle dot removed", "ジョン・スミス", "ジヨンスミス"},
		{"half-width middle dot", "ｼﾞｮﾝ･ｽﾐｽ", "ジヨンスミス"},
		{"iteration mark", "さゝき", "サヽキ"},
		{"tabs and mixed spaces", " ヤマダ\t タロウ　", "ヤマダタロウ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := KanaKey(tt.in); got != tt.want {
				t.Errorf("KanaKey(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestKanaKeyMatchesSpellings(t *testing.T) {
	same := []string{"ｻｲﾄｳ ｼﾞｭﾝ", "さいとう　じゅん", "サイトウジュン", "サイトウ　ジユン", "ｻｲﾄｳｼﾞﾕﾝ"}
	want := KanaKey(same[0])
	for _, s := range same[1:] {
		if got := KanaKey(s); got != want {
			t.Errorf("KanaKey(%q) = %q, want %q like %q", s, got, want, same[0])
		}
	}
}

func TestNameKey(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"full-width space", "三輪　隆", "三輪隆"},
		{"half-width spaces", " 三輪 隆 ", "三輪隆"},
		{"IVS stripped", "葛\U000E0100城　直美", "葛城直美"},
		{"standard variation selector stripped", "辻\uFE00", "辻"},
		{"compatibility ideograph kept", "\uFA11\uF929", "\uFA11\uF929"},
		{"IBM kanji kept", "髙橋", "髙橋"},
		{"PUA kept", "\uE757　健一", "\uE757健一"},
		{"no NFKC on full-width letters", "ＡＢ", "ＡＢ"},
		{"outside BMP kept", "𠮷田", "𠮷田"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NameKey(tt.in); got != tt.want {
				t.Errorf("NameKey(%+q) = %+q, want %+q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeKana(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"already full-width", "ミワ　ナオミ", "ミワ　ナオミ"},
		{"half-width with space", "ﾐﾜ ﾅｵﾐ", "ミワ　ナオミ"},
		{"dakuten composed", "ｺｳｼﾞ", "コウジ"},
		{"handakuten composed", "ﾎﾟﾝ", "ポン"},
		{"vu", "ｳﾞ", "ヴ"},
		{"long vowel widened, kept", "ｺｰﾋｰ", "コーヒー"},
		{"small kana kept small", "ｷｬﾉﾝ", "キャノン"},
		{"hiragana kept", "やまだ", "やまだ"},
		{"runs of spaces become one full-width space", "ﾔﾏﾀﾞ 　 ﾀﾛｳ", "ヤマダ　タロウ"},
		{"leading and trailing spaces trimmed", "  ﾔﾏﾀﾞ　", "ヤマダ"},
		{"stray sound mark becomes spacing", "ｱﾞ", "ア゛"},
		{"sound mark after full-width kana is not attached", "カﾞ", "カ゛"},
		{"full-width letters kept", "ＡＢ ｶ", "ＡＢ　カ"},
		{"half-width punctuation widened", "｢ｱ｣", "「ア」"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NormalizeKana(tt.in); got != tt.want {
				t.Errorf("NormalizeKana(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestPUA(t *testing.T) {
	tests := []struct {
		name string
		in   string
		has  bool
		list []rune
	}{
		{"none", "三輪　隆", false, nil},
		{"one", "\uE757　健一", true, []rune{0xE757}},
		{"repeated listed once", "\uE000\uE001\uE000", true, []rune{0xE000, 0xE001}},
		{"end of BMP private use", "\uF8FF", true, []rune{0xF8FF}},
		{"supplementary private use", "\U000F0000", true, []rune{0xF0000}},
		{"IVS is not PUA", "葛\U000E0100", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HasPUA(tt.in); got != tt.has {
				t.Errorf("HasPUA(%+q) = %v", tt.in, got)
			}
			if got := PUARunes(tt.in); !slices.Equal(got, tt.list) {
				t.Errorf("PUARunes(%+q) = %U, want %U", tt.in, got, tt.list)
			}
		})
	}
}

func TestApplyGaiji(t *testing.T) {
	m := map[rune]string{0xE000: "辺", 0xE001: "髙", 0xE757: "葛\U000E0100", 'A': "B"}
	tests := []struct {
		name, in, want string
	}{
		{"mapped", "\uE001橋　\uE000", "髙橋　辺"},
		{"mapped to IVS", "\uE757城", "葛\U000E0100城"},
		{"unmapped kept", "\uE002子", "\uE002子"},
		{"only PUA replaced", "A\uE000", "A辺"},
		{"no PUA", "山田", "山田"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ApplyGaiji(tt.in, m); got != tt.want {
				t.Errorf("ApplyGaiji(%+q) = %+q, want %+q", tt.in, got, tt.want)
			}
		})
	}
	if got := ApplyGaiji("\uE000", nil); got != "\uE000" {
		t.Errorf("nil map changed the text: %+q", got)
	}
}
