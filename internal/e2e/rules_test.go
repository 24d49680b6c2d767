package e2e

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// badPage breaks each page rule once: an image without alt text and an
// unlabelled field (axe), a 20 px button, 60 KB of text, and a 400 px box.
const badPage = `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>bad</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head><body><main><h1>bad</h1>
<img src="/x.png"><input type="text"><button style="height:20px;padding:0;line-height:1">x</button>
<div style="width:400px">wide</div><p>`

// TestPageRulesCanFail shows that each rule of tab.check fails a page that
// breaks it, so a passing flow means something.
func TestPageRulesCanFail(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(badPage + strings.Repeat("あいうえお", 4100) + "</p></main></body></html>"))
	}))
	t.Cleanup(ts.Close)
	tb := newTab(t, ts.URL, 1280, 900)
	tb.do(navigate(ts.URL + "/"))
	got := strings.Join(tb.problems(), "\n")
	for _, want := range []string{`axe image-alt`, `axe label`, `touch target under 44 px: <button`, `page weighs`, `scrolls sideways at 320 px`} {
		if !regexp.MustCompile(regexp.QuoteMeta(want)).MatchString(got) {
			t.Errorf("no %q among the problems:\n%s", want, got)
		}
	}
}
