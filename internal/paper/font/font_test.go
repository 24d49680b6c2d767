package font

import (
	"slices"
	"testing"
)

// TestGothicCoverage pins what the embedded font draws, as the manuals
// state it: JIS X 0208 and 0213 kanji (some in CJK Ext-B), the IVS
// sequences of its cmap, and nothing for private use code points.
func TestGothicCoverage(t *testing.T) {
	f, err := Gothic()
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "IPAexGothic" || f.NumGlyphs != 12239 || f.Sequences() != 445 {
		t.Errorf("font %s, %d glyphs, %d sequences", f.Name, f.NumGlyphs, f.Sequences())
	}
	for _, s := range []string{"髙橋", "渡邉", "邊", "﨑", "𩸽", "葛\U000E0100", "三田市けやき台１丁目", "ＡＢＣ abc 123 〒"} {
		if m := f.Missing(s); len(m) != 0 {
			t.Errorf("%q: missing %q", s, m)
		}
	}
	for s, want := range map[string][]string{
		"𠮷野家":            {"𠮷"},                 // U+20BB7 is not in JIS X 0213
		"\uE001子":        {"\uE001"},            // an unmapped 外字
		"辻\U000E0103":    {"辻\U000E0103"},       // a sequence the font lacks
		"山\U000E0100田\n": {"山\U000E0100", "\n"}, // control characters are not drawn
		"\U000E0100":     {"\U000E0100"},        // a selector alone
	} {
		if got := f.Missing(s); !slices.Equal(got, want) {
			t.Errorf("Missing(%+q) = %+q, want %+q", s, got, want)
		}
	}
}

func TestGlyphsJoinVariationSelectors(t *testing.T) {
	f, _ := Gothic()
	plain, _ := f.Glyphs("葛")
	varied, missing := f.Glyphs("葛\U000E0100城")
	if len(missing) != 0 || len(varied) != 2 || varied[0].Text != "葛\U000E0100" {
		t.Fatalf("glyphs %+v, missing %q", varied, missing)
	}
	if varied[0].ID == plain[0].ID && !f.defaults[variant{'葛', 0xE0100}] {
		t.Error("the variation sequence draws the base glyph though the font has its own")
	}
}

func TestSubsetKeepsUsedOutlines(t *testing.T) {
	f, _ := Gothic()
	gs, _ := f.Glyphs("交付通知書")
	used := make([]bool, f.NumGlyphs)
	for _, g := range gs {
		used[g.ID] = true
	}
	sub, err := parseOutlines(f.Subset(used))
	if err != nil {
		t.Fatalf("the subset does not parse: %v", err)
	}
	if sub.NumGlyphs != f.NumGlyphs {
		t.Fatalf("glyph IDs moved: %d glyphs, want %d", sub.NumGlyphs, f.NumGlyphs)
	}
	glyf := sub.tables["glyf"]
	for g := 0; g < sub.NumGlyphs; g++ {
		size := sub.loca[g+1] - sub.loca[g]
		if used[g] && size == 0 {
			t.Errorf("glyph %d lost its outline", g)
		}
		if !used[g] && g != 0 && size != 0 && len(f.components(glyf[sub.loca[g]:sub.loca[g+1]])) == 0 {
			// kept only as a component of a used glyph
			isComponent := false
			for _, u := range gs {
				if slices.Contains(f.components(f.tables["glyf"][f.loca[u.ID]:f.loca[u.ID+1]]), g) {
					isComponent = true
				}
			}
			if !isComponent {
				t.Errorf("unused glyph %d kept", g)
			}
		}
	}
	if len(sub.tables["glyf"]) > 20000 {
		t.Errorf("five glyphs take %d bytes of outlines", len(sub.tables["glyf"]))
	}
}
