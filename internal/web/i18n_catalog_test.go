package web

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// onlyTranslated are the key prefixes a translation has and Japanese does
// not: "x:" translates the Japanese default settings texts (the key is the
// Japanese text), and Japanese pages take errors and statuses in the
// engine's own words (apperr messages, reserve.StatusLabel).
var onlyTranslated = []string{"x:", "err.", "status."}

// TestCatalogsHaveTheSameKeys fails when a text exists in one language and
// not the other, or when the fmt verbs of a key differ between languages.
func TestCatalogsHaveTheSameKeys(t *testing.T) {
	c := pubCatalogs()
	ja := c[langJA]
	for _, lang := range pubLangs[1:] {
		for key := range ja {
			if _, ok := c[lang][key]; !ok {
				t.Errorf("texts/public.%s.json lacks %q (Japanese: %q)", lang, key, ja[key])
			}
		}
		for key, text := range c[lang] {
			jaText, ok := ja[key]
			switch {
			case !ok && !slices.ContainsFunc(onlyTranslated, func(p string) bool { return strings.HasPrefix(key, p) }):
				t.Errorf("texts/public.%s.json has %q, which Japanese lacks", lang, key)
			case ok && verbCount(jaText) != verbCount(text):
				t.Errorf("%q: Japanese fills in %d values, %s %d", key, verbCount(jaText), lang, verbCount(text))
			}
		}
	}
}

var verb = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*[a-z]`)

func verbCount(s string) int { return len(verb.FindAllString(strings.ReplaceAll(s, "%%", ""), -1)) }
