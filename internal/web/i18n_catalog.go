package web

import (
	"embed"
	"encoding/json"
	"fmt"
)

// catalogFiles are the citizen site's texts, one JSON file per language
// (texts/public.<lang>.json: key → text, with fmt verbs where a page fills
// in values). Keys starting with "x:" translate texts of the city's
// settings (service, place and item names) as they are in the default
// settings, so they exist in the other languages only; other settings
// texts are shown as the city wrote them.
//
//go:embed texts/public.*.json
var catalogFiles embed.FS

// pubLangs are the languages of the citizen site.
var pubLangs = []string{langJA, langEN}

// pubCatalogs reads the texts of the citizen site. The files are part of
// the binary, so a broken one is a programming error caught by the tests.
func pubCatalogs() pubTexts {
	out := pubTexts{}
	for _, lang := range pubLangs {
		c, err := readCatalog(lang)
		if err != nil {
			panic(err)
		}
		out[lang] = c
	}
	return out
}

func readCatalog(lang string) (pubCatalog, error) {
	name := "texts/public." + lang + ".json"
	b, err := catalogFiles.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var c pubCatalog
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return c, nil
}
