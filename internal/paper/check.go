package paper

import (
	"fmt"
	"strings"

	"github.com/kofu-oss/kofu/internal/moji"
	"github.com/kofu-oss/kofu/internal/paper/font"
)

// Gaiji gives the text a city registered for a 外字 code point (a
// character, possibly with an IVS), and whether it has one.
type Gaiji func(r rune) (string, bool)

// GaijiTable makes a Gaiji from the city's table.
func GaijiTable(m map[rune]string) Gaiji {
	return func(r rune) (string, bool) { s, ok := m[r]; return s, ok }
}

// Held is a card left out of a PDF, and why.
type Held struct {
	Key    string // the caller's key for the card or household
	Reason string // Japanese, for the list staff work through
}

// Result tells what a rendering printed and held.
type Result struct {
	Pages   int
	Printed int    // letters or labels on paper
	Held    []Held // in input order
}

// field is one printed text of a letter or label, with its label for
// reasons ("氏名", "住所").
type field struct {
	label, text string
}

// printable applies the 外字 table to each field and checks that the font
// can draw the result. It returns the texts to print, or the reason to
// hold the card: an unmapped 外字, or a character the font lacks.
func printable(f *font.Font, gaiji Gaiji, fields ...field) ([]string, string) {
	out := make([]string, len(fields))
	var reasons []string
	for i, fl := range fields {
		text, unmapped := applyGaiji(fl.text, gaiji)
		if len(unmapped) > 0 {
			codes := make([]string, len(unmapped))
			for k, r := range unmapped {
				codes[k] = fmt.Sprintf("U+%04X", r)
			}
			reasons = append(reasons, fmt.Sprintf("%sに外字表にない外字 %s があります", fl.label, strings.Join(codes, "、")))
			continue
		}
		if missing := f.Missing(text); len(missing) > 0 {
			reasons = append(reasons, fmt.Sprintf("%sの「%s」は印刷用の書体にない文字です", fl.label, strings.Join(missing, "」「")))
			continue
		}
		out[i] = text
	}
	if len(reasons) > 0 {
		return nil, strings.Join(reasons, "。") + "。"
	}
	return out, ""
}

// applyGaiji replaces the 外字 the table knows and lists those it does not.
func applyGaiji(s string, gaiji Gaiji) (string, []rune) {
	if !moji.HasPUA(s) {
		return s, nil
	}
	var b strings.Builder
	var unmapped []rune
	for _, r := range s {
		if !moji.IsPUA(r) {
			b.WriteRune(r)
			continue
		}
		if gaiji != nil {
			if rep, ok := gaiji(r); ok && !moji.HasPUA(rep) {
				b.WriteString(rep)
				continue
			}
		}
		unmapped = append(unmapped, r)
	}
	return b.String(), unmapped
}
